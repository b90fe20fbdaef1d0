// The scratch copy of a lab's files (cli/work_copy.h).
#include "cli/work_copy.h"

#include <stdlib.h>

#include <fstream>

#include "cli/load.h"
#include "template/engine.h"
#include "template/manifest.h"

namespace vpclab::cli {

namespace fs = std::filesystem;

namespace {
std::string key(const fs::path& p) { return fs::absolute(p).lexically_normal().string(); }
bool fail(std::string& error, std::string msg) {
  error = std::move(msg);
  return false;
}
}  // namespace

WorkCopy::~WorkCopy() {
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

bool WorkCopy::make(const std::string& given, std::string& error) {
  const std::string lab = manifests_for_folders({given}).front();
  std::string tmpl = (fs::temp_directory_path() / "vpclab-fix-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) return fail(error, "cannot make a scratch directory");
  dir_ = tmpl;
  fs::path src(lab);
  Diagnostics d;
  auto root = tmpl::parse_template_file(lab, d);
  // A manifest names its templates relative to itself: copy its folder.
  if (root && tmpl::is_manifest(*root)) {
    fs::path base = src.parent_path().empty() ? fs::path(".") : src.parent_path();
    size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(base)) {
      if (!e.is_regular_file()) continue;
      auto ext = e.path().extension().string();
      if (ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".template") continue;
      if (++n > 500) return fail(error, "the lab's folder holds more than 500 templates");
      fs::path rel = fs::relative(e.path(), base);
      add(e.path(), dir_ / rel);
    }
    lab_ = (dir_ / src.filename()).string();
  } else {
    lab_ = (dir_ / src.filename()).string();
    add(src, lab_);
  }
  return true;
}

void WorkCopy::write(const std::string& user_path, const std::string& text) const {
  auto it = to_copy_.find(key(user_path));
  if (it != to_copy_.end()) std::ofstream(it->second, std::ios::binary) << text;
}

void WorkCopy::add(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  to_user_[to.string()] = from.lexically_normal().string();
  to_copy_[key(from)] = to.string();
}

}  // namespace vpclab::cli
