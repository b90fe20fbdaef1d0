// A target's bad chunked framing, through the engine (RFC 9112 sections 7.1
// and 8): 502 when nothing of the response went out yet; otherwise the
// client connection closes before the last chunk, so the client sees an
// incomplete message, never a shorter complete one.
#include <gtest/gtest.h>

#include "alb_test_util.h"

namespace vpclab::dataplane::alb::testing {
namespace {

class AlbBody : public WorkersTest {};
INSTANTIATE_TEST_SUITE_P(Workers, AlbBody, ::testing::Values(1, 2), workers_name);

bool healthy(RunningEngine& e) {
  return e.engine().target_health_json().find("\"healthy\"") != std::string::npos;
}

std::string read_all(int fd) {
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<size_t>(n));
  return all;
}

TEST_P(AlbBody, BadChunkBeforeAnythingWasSentIs502) {
  Backend b1("b1", [](const ReceivedRequest& r) {
    if (r.path == "/health") return BackendReply{ok_response("ok")};
    return BackendReply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", true};
  });
  RunningEngine e(basic_config({&b1}));
  ASSERT_TRUE(e.ok()) << e.error();
  ASSERT_TRUE(eventually([&] { return healthy(e); }));
  auto r = roundtrip(e.port(), get("/bad"));
  EXPECT_EQ(r.status, 502) << r.head;
  EXPECT_EQ(r.body.find("hello"), std::string::npos);
  // The next request on a new connection is served as usual.
  EXPECT_EQ(roundtrip(e.port(), get("/health")).status, 200);
}

TEST_P(AlbBody, BadChunkMidBodyCutsTheClientOffBeforeTheLastChunk) {
  Backend b1("b1", [](const ReceivedRequest& r) {
    if (r.path == "/health") return BackendReply{ok_response("ok")};
    BackendReply rep;
    rep.takeover = [](int fd) {
      send_all(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a read of its own
      send_all(fd, "5\r\nworldXX\r\n0\r\n\r\n");                    // no CRLF after the data
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    };
    return rep;
  });
  RunningEngine e(basic_config({&b1}));
  ASSERT_TRUE(e.ok()) << e.error();
  ASSERT_TRUE(eventually([&] { return healthy(e); }));
  int fd = connect_to(e.port());
  ASSERT_GE(fd, 0);
  send_all(fd, get("/mid"));
  std::string all = read_all(fd);  // returns when the LB closes
  close(fd);
  EXPECT_EQ(all.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << all;
  EXPECT_NE(all.find("5\r\nhello\r\n"), std::string::npos) << all;
  EXPECT_EQ(all.find("world"), std::string::npos) << all;    // the bad chunk is not passed on
  EXPECT_EQ(all.find("0\r\n\r\n"), std::string::npos) << all;  // no last chunk: incomplete
}

TEST_P(AlbBody, BadChunkInTheRequestIs400) {
  Backend b1("b1");
  RunningEngine e(basic_config({&b1}));
  ASSERT_TRUE(e.ok()) << e.error();
  ASSERT_TRUE(eventually([&] { return healthy(e); }));
  auto r = roundtrip(e.port(), "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\nab\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 400) << r.head;
  EXPECT_TRUE(r.closed);
}

}  // namespace
}  // namespace vpclab::dataplane::alb::testing
