// The lab's S3 on a real socket (127.0.0.1), fetched with curl as a user
// would: objects are the files of a bucket's directory, a missing key is
// S3's 404 NoSuchKey, HEAD has the headers without the body, another
// Region's bucket redirects, writes and other services are 501.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "dataplane/s3/server.h"

#include "../support/process.h"

using namespace vpclab;
using vpclab::testing::run_command;

namespace {

namespace fs = std::filesystem;

class S3ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command("command -v curl").out.empty()) GTEST_SKIP() << "curl not installed";
    // Its own directory: ctest runs the tests of this fixture in parallel processes.
    dir_ = fs::path(::testing::TempDir()) /
           ("s3-service-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "-" +
            std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "bar-artifacts/release");
    fs::create_directories(dir_ / "eu-logs");
    std::ofstream(dir_ / "bar-artifacts/release/app.txt") << "release 1.4.2\n";
    std::ofstream(dir_ / "bar-artifacts/hello world.json") << "{\"hello\": 1}\n";
    std::ofstream(dir_ / "secret.txt") << "outside every bucket\n";
    server_ = std::make_unique<dataplane::s3::ServiceServer>(std::vector<dataplane::s3::Bucket>{
        {"bar-artifacts", "us-east-1", (dir_ / "bar-artifacts").string()},
        {"eu-logs", "eu-west-1", (dir_ / "eu-logs").string()}});
    std::string err;
    for (auto [svc, endpoint, port] : {std::tuple{"s3", "", &s3_port_}, std::tuple{"sqs", "vpce-0123", &sqs_port_}}) {
      int fd = dataplane::s3::listen_tcp(Ipv4Address{INADDR_LOOPBACK}, 0, &err);
      ASSERT_GE(fd, 0) << err;
      sockaddr_in sa{};
      socklen_t len = sizeof sa;
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
      *port = ntohs(sa.sin_port);
      server_->add_listener(fd, {{*Ipv4Cidr::parse("127.0.0.0/8"), {svc, "us-east-1", endpoint}}});
    }
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (!server_) return;
    server_->stop();
    thread_.join();
  }
  // curl with the response head (-D -), bounded in time.
  vpclab::testing::CommandResult curl(const std::string& args, uint16_t port = 0) {
    return run_command("curl -sS --max-time 5 -D - " + args + " http://127.0.0.1:" +
                           std::to_string(port ? port : s3_port_),
                       false);
  }
  vpclab::testing::CommandResult get(const std::string& path, const std::string& args = "") {
    return run_command("curl -sS --max-time 5 -D - " + args + " 'http://127.0.0.1:" + std::to_string(s3_port_) + path + "'",
                       false);
  }

  fs::path dir_;
  std::unique_ptr<dataplane::s3::ServiceServer> server_;
  std::thread thread_;
  uint16_t s3_port_ = 0, sqs_port_ = 0;
};

std::string file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(S3ServiceTest, GetServesTheObjectsFileWithItsMd5AsETag) {
  auto r = get("/bar-artifacts/release/app.txt");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r.out;
  std::string body = file(dir_ / "bar-artifacts/release/app.txt");
  EXPECT_EQ(r.out.substr(r.out.size() - body.size()), body);
  std::string md5 = run_command("md5sum '" + (dir_ / "bar-artifacts/release/app.txt").string() + "'").out.substr(0, 32);
  EXPECT_NE(r.out.find("ETag: \"" + md5 + "\"\r\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Content-Type: text/plain\r\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x-vpclab-source-ip: 127.0.0.1\r\n"), std::string::npos) << r.out;
  // A percent-encoded key (as the AWS CLI sends it).
  auto enc = get("/bar-artifacts/hello%20world.json");
  EXPECT_NE(enc.out.find("HTTP/1.1 200"), std::string::npos) << enc.out;
  EXPECT_NE(enc.out.find(file(dir_ / "bar-artifacts/hello world.json")), std::string::npos) << enc.out;
}

TEST_F(S3ServiceTest, MissingKeysBucketsAndKeysOutsideTheDirectoryAre404) {
  auto r = get("/bar-artifacts/release/none.txt");
  EXPECT_EQ(r.out.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("<Code>NoSuchKey</Code>"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<Resource>/bar-artifacts/release/none.txt</Resource>"), std::string::npos) << r.out;
  // A key that would leave the bucket's directory is only a key that does not exist.
  auto up = get("/bar-artifacts/..%2Fsecret.txt", "--path-as-is");
  EXPECT_NE(up.out.find("<Code>NoSuchKey</Code>"), std::string::npos) << up.out;
  EXPECT_EQ(up.out.find("outside every bucket"), std::string::npos) << up.out;
  auto dirkey = get("/bar-artifacts/release");
  EXPECT_NE(dirkey.out.find("<Code>NoSuchKey</Code>"), std::string::npos) << dirkey.out;
  auto nb = get("/no-such-bucket/x");
  EXPECT_EQ(nb.out.rfind("HTTP/1.1 404", 0), 0u) << nb.out;
  EXPECT_NE(nb.out.find("<Code>NoSuchBucket</Code>"), std::string::npos) << nb.out;
}

TEST_F(S3ServiceTest, HeadListAndAnotherRegionsBucket) {
  auto h = get("/bar-artifacts/release/app.txt", "-I");
  EXPECT_EQ(h.out.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << h.out;
  EXPECT_NE(h.out.find("Content-Length: " + std::to_string(fs::file_size(dir_ / "bar-artifacts/release/app.txt"))),
            std::string::npos)
      << h.out;
  EXPECT_EQ(h.out.find("release 1.4.2"), std::string::npos) << h.out;
  auto l = get("/bar-artifacts?list-type=2&prefix=rel");
  EXPECT_NE(l.out.find("<KeyCount>1</KeyCount>"), std::string::npos) << l.out;
  EXPECT_NE(l.out.find("<Key>release/app.txt</Key>"), std::string::npos) << l.out;
  EXPECT_EQ(l.out.find("hello world.json"), std::string::npos) << l.out;
  // As `aws s3 ls s3://bar-artifacts/` asks: a delimiter, URL-encoded keys.
  auto d = get("/bar-artifacts?list-type=2&delimiter=%2F&encoding-type=url");
  EXPECT_NE(d.out.find("<Key>hello%20world.json</Key>"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("<CommonPrefixes><Prefix>release/</Prefix></CommonPrefixes>"), std::string::npos) << d.out;
  EXPECT_EQ(d.out.find("release/app.txt"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("<KeyCount>2</KeyCount>"), std::string::npos) << d.out;
  auto eu = get("/eu-logs/x");
  EXPECT_EQ(eu.out.rfind("HTTP/1.1 301", 0), 0u) << eu.out;
  EXPECT_NE(eu.out.find("<Code>PermanentRedirect</Code>"), std::string::npos) << eu.out;
  EXPECT_NE(eu.out.find("<Endpoint>s3.eu-west-1.amazonaws.com</Endpoint>"), std::string::npos) << eu.out;
}

TEST_F(S3ServiceTest, WritesAndOtherServicesAreNotImplemented) {
  auto put = get("/bar-artifacts/new.txt", "-X PUT --data-binary x");
  EXPECT_EQ(put.out.rfind("HTTP/1.1 501", 0), 0u) << put.out;
  EXPECT_FALSE(fs::exists(dir_ / "bar-artifacts/new.txt"));
  auto sqs = curl("", sqs_port_);
  EXPECT_EQ(sqs.out.rfind("HTTP/1.1 501", 0), 0u) << sqs.out;
  EXPECT_NE(sqs.out.find("x-vpclab-endpoint: vpce-0123\r\n"), std::string::npos) << sqs.out;
  EXPECT_NE(sqs.out.find("Server: vpclab\r\n"), std::string::npos) << sqs.out;
  EXPECT_NE(sqs.out.find("reaches sqs in us-east-1 through interface endpoint vpce-0123"), std::string::npos) << sqs.out;
}

}  // namespace
