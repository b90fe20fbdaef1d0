#include "cli/git_input.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace vpclab::cli {

namespace fs = std::filesystem;

namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command; its stdout (trailing newline cut), or false.
bool run(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return false;
  std::string text;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) text.append(buf.data(), n);
  int st = pclose(p);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  if (out) *out = text;
  return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

}  // namespace

GitInput::~GitInput() {
  if (!tmp_.empty()) {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
}

bool GitInput::open(const std::string& spec, const std::vector<std::string>& same_as, std::string* error) {
  std::string rest = spec.substr(4);
  std::string path;
  if (auto colon = rest.find(':'); colon != std::string::npos) {
    path = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  rev_ = rest;
  std::string top;
  if (!run("git rev-parse --show-toplevel", &top) || top.empty()) {
    *error = spec + ": the current directory is not in a git repository";
    return false;
  }
  if (rev_.empty() || !run("git rev-parse --verify --quiet " + quote(rev_ + "^{commit}"), &commit_)) {
    *error = spec + ": no such revision '" + rev_ + "'";
    return false;
  }
  std::vector<std::string> wanted = path.empty() ? same_as : std::vector<std::string>{path};
  if (wanted.empty()) {
    *error = spec + ": name a path (git:REV:PATH) or give the other side as a path";
    return false;
  }
  char tmpl[] = "/tmp/vpclab-diff-XXXXXX";
  if (!mkdtemp(tmpl)) {
    *error = spec + ": cannot create a temporary folder";
    return false;
  }
  tmp_ = tmpl;
  // commit_ is hex from rev-parse; the archive holds the whole tree so a
  // manifest's relative template paths resolve as in the working tree.
  if (!run("git -C " + quote(top) + " archive --format=tar " + commit_ + " | tar -x -C " + quote(tmp_), nullptr)) {
    *error = spec + ": git archive of " + rev_ + " failed";
    return false;
  }
  std::error_code ec;
  fs::path root = fs::weakly_canonical(top, ec);
  for (const auto& w : wanted) {
    fs::path abs = fs::weakly_canonical(fs::absolute(w), ec);
    fs::path rel = abs.lexically_relative(root);
    if (rel.empty() || *rel.begin() == "..") {
      *error = spec + ": " + w + " is outside the repository";
      return false;
    }
    fs::path in_tree = fs::path(tmp_) / rel;
    if (!fs::exists(in_tree)) {
      *error = spec + ": " + rel.string() + " does not exist at " + rev_;
      return false;
    }
    paths_.push_back(in_tree.string());
  }
  return true;
}

std::string GitInput::display(const std::string& file) const {
  if (tmp_.empty() || file.rfind(tmp_ + "/", 0) != 0) return file;
  return "git:" + rev_ + ":" + file.substr(tmp_.size() + 1);
}

}  // namespace vpclab::cli
