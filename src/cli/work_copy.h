// A scratch copy of a lab's files (`vpclab fix`, `vpclab check --fix-lint`):
// patched texts are written and loaded there, never in the user's files
// until --apply. A manifest's whole folder is copied (its templates are
// named relative to it). Removed with the object.
#pragma once
#include <filesystem>
#include <map>
#include <string>

namespace vpclab::cli {

class WorkCopy {
 public:
  WorkCopy() = default;
  WorkCopy(const WorkCopy&) = delete;
  WorkCopy& operator=(const WorkCopy&) = delete;
  ~WorkCopy();
  // False with `error` when the copy cannot be made.
  bool make(const std::string& lab, std::string& error);
  // The lab's path in the copy.
  const std::string& lab() const { return lab_; }
  // A copied file's path -> the user's file (for tmpl::TemplateEditor).
  const std::map<std::string, std::string>& to_user() const { return to_user_; }
  // Replaces the copy of the user's file `user_path` with `text`.
  void write(const std::string& user_path, const std::string& text) const;

 private:
  void add(const std::filesystem::path& from, const std::filesystem::path& to);
  std::filesystem::path dir_;
  std::string lab_;
  std::map<std::string, std::string> to_user_, to_copy_;
};

}  // namespace vpclab::cli
