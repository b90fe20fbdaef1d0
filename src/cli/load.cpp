#include "cli/load.h"

#include <filesystem>
#include <iostream>

#include "cli/output.h"
#include "snapshot/load.h"
#include "terraform/load.h"

namespace vpclab::cli {

std::vector<std::string> manifests_for_folders(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& p : in) {
    std::error_code ec;
    auto manifest = std::filesystem::path(p) / "vpclab.yaml";
    bool folder = std::filesystem::is_directory(p, ec) && !snapshot::is_snapshot_dir(p);
    out.push_back(folder && std::filesystem::is_regular_file(manifest, ec) ? manifest.lexically_normal().string() : p);
  }
  return out;
}

tmpl::LoadResult load_any(const std::vector<std::string>& given) {
  const std::vector<std::string> paths = manifests_for_folders(given);
  size_t snapshots = 0;
  for (const auto& p : paths) snapshots += snapshot::is_snapshot_dir(p) ? 1 : 0;
  if (snapshots == 0) return tmpl::load_network(paths, &terraform::front_end());
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

std::shared_ptr<const model::Network> load_or_report(const std::vector<std::string>& paths, const char* cmd) {
  for (const auto& p : paths)
    if (!std::filesystem::exists(p)) {
      std::cerr << "vpclab " << cmd << ": " << p << ": no such file\n";
      return nullptr;
    }
  auto result = load_any(paths);
  if (!result.network || result.diags.has_errors()) {
    result.diags.sort();
    print_diagnostics(std::cerr, result.diags);
    std::cerr << "vpclab " << cmd << ": the network has errors (" << summary_line(result.diags) << ")\n";
    return nullptr;
  }
  return result.network;
}

}  // namespace vpclab::cli
