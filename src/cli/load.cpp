#include "cli/load.h"

#include "snapshot/load.h"

namespace vpclab::cli {

tmpl::LoadResult load_any(const std::vector<std::string>& paths) {
  size_t snapshots = 0;
  for (const auto& p : paths) snapshots += snapshot::is_snapshot_dir(p) ? 1 : 0;
  if (snapshots == 0) return tmpl::load_network(paths);
  tmpl::LoadResult out;
  if (paths.size() != 1) {
    for (const auto& p : paths)
      if (snapshot::is_snapshot_dir(p))
        out.diags.error(SourceLoc{intern_file(p), 0, 0}, "CLI_MIXED_INPUT",
                        "a snapshot directory must be the only PATH (templates and snapshots do not mix)");
    return out;
  }
  auto r = snapshot::load_snapshot(paths.front());
  out.network = std::move(r.network);
  out.diags = std::move(r.diags);
  return out;
}

}  // namespace vpclab::cli
