// `vpclab up --ui [ADDR:PORT]`: what the CLI prepares before the lab starts
// (emulator/ui_server.h serves it): the loopback listener, the live page
// drawn from the network, and the trace function the page's form calls.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "emulator/ui_server.h"
#include "model/network.h"

namespace vpclab::cli {

constexpr const char* kDefaultUiAddress = "127.0.0.1:8080";

struct UiPrepared {
  std::optional<emulator::UiOptions> ui;
  std::string error;  // when !ui
  int exit_code = 0;  // 2: usage (not loopback, bad ADDR:PORT) or a missing package; 1: cannot listen
};

// SPEC: "ADDR:PORT" with ADDR in 127.0.0.0/8 or "localhost".
UiPrepared prepare_ui(std::shared_ptr<const model::Network> net, const std::string& spec, const std::string& lab);

}  // namespace vpclab::cli
