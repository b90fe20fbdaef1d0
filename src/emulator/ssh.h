// Key pairs and sshd in a lab (docs/emulator.md "SSH"): names shared by the
// compiler (which starts sshd on instances with a KeyName) and the CLI
// (`vpclab ssh-key KEYNAME` prints where the private key is).
#pragma once
#include <string>

namespace vpclab::emulator {

// The file name of a key pair's private key under <lab dir>/keys/: the
// KeyName with characters other than [A-Za-z0-9._-] replaced by '_' (AWS
// allows any ASCII); a leading '.' becomes '_'. The public key is NAME.pub.
std::string key_file_name(const std::string& key_name);

// Where `ssh` clients in the lab find the lab directory in files the
// compiler writes (NetnsPlan::etc_files): the supervisor replaces this token
// with the lab directory when it writes them.
inline constexpr const char* kLabDirToken = "@VPCLAB_LAB_DIR@";

}  // namespace vpclab::emulator
