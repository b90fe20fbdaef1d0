// `git:REV` and `git:REV:PATH` inputs: the same files at another revision of
// the repository holding the current directory, read without a checkout
// (git archive into a temporary folder that lives as long as this object).
#pragma once
#include <string>
#include <vector>

namespace vpclab::cli {

class GitInput {
 public:
  GitInput() = default;
  GitInput(const GitInput&) = delete;
  GitInput& operator=(const GitInput&) = delete;
  ~GitInput();

  static bool is_git_spec(const std::string& arg) { return arg.rfind("git:", 0) == 0; }

  // SPEC is git:REV or git:REV:PATH; without PATH, `same_as` (paths in the
  // working tree) are read at REV. PATH is relative to the current directory.
  // Returns false with `error` set when REV or a path is not in the repository.
  bool open(const std::string& spec, const std::vector<std::string>& same_as, std::string* error);

  const std::vector<std::string>& paths() const { return paths_; }
  // A path inside the temporary tree as the user wrote it: "git:REV:path".
  std::string display(const std::string& file) const;

 private:
  std::string rev_, commit_, tmp_, cwd_rel_;
  std::vector<std::string> paths_;
};

}  // namespace vpclab::cli
