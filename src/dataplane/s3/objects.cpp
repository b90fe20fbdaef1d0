#include "dataplane/s3/objects.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "dataplane/http/message.h"
#include "semantics/s3.h"

namespace vpclab::dataplane::s3 {

namespace {

namespace fs = std::filesystem;

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string request_id() {
  static std::atomic<uint64_t> n{0};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llX",
                static_cast<unsigned long long>(0x5641B0000000000ull + n.fetch_add(1) * 7919u));
  return buf;
}

std::string md5_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  std::string out;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", md[i]);
    out += b;
  }
  return out;
}

std::string iso8601(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

// What S3 would have stored as Content-Type for a few common uploads; the
// rest as S3's default.
std::string content_type(const std::string& key) {
  auto dot = key.rfind('.');
  std::string ext = dot == std::string::npos ? "" : key.substr(dot + 1);
  if (ext == "txt") return "text/plain";
  if (ext == "html" || ext == "htm") return "text/html";
  if (ext == "json") return "application/json";
  if (ext == "xml") return "application/xml";
  if (ext == "gz" || ext == "tgz") return "application/gzip";
  return "binary/octet-stream";
}

// A key as a file under the bucket's directory: nullopt for keys no file
// can stand for (empty, "." or ".." segments, NUL, a trailing slash).
std::optional<fs::path> object_file(const Bucket& b, const std::string& key) {
  if (key.empty() || key.find('\0') != std::string::npos || key.back() == '/' || key.front() == '/') return std::nullopt;
  std::string_view rest = key;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string_view seg = rest.substr(0, slash);
    if (seg.empty() || seg == "." || seg == "..") return std::nullopt;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return fs::path(b.directory) / key;
}

std::string query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    auto eq = item.find('=');
    if (item.substr(0, eq) == name) return eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

struct Reply {
  int status = 200;
  std::string content_type = "application/xml";
  std::string headers;  // extra lines
  std::string body;
};

std::string serialize(const Reply& r, bool head_request, Ipv4Address client, const std::string& id, bool s3) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(http::reason_phrase(r.status)) + "\r\n";
  out += "x-amz-request-id: " + id + "\r\n";
  out += "Date: " + http::http_date(std::time(nullptr)) + "\r\n";
  out += r.headers;
  if (!r.body.empty() || r.status == 200) out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  out += "x-vpclab-source-ip: " + client.str() + "\r\n";
  out += s3 ? "Server: AmazonS3\r\n" : "Server: vpclab\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head_request) out += r.body;
  return out;
}

Reply error(int status, std::string_view code, std::string_view message, std::string_view resource,
            const std::string& id) {
  Reply r;
  r.status = status;
  r.body = error_xml(code, message, resource, id);
  return r;
}

Reply list_buckets(const std::vector<Bucket>& buckets, const std::string& region) {
  Reply r;
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListAllMyBucketsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
           "<Owner><ID>vpclab</ID><DisplayName>vpclab</DisplayName></Owner><Buckets>";
  for (const auto& b : buckets) {
    std::error_code ec;
    auto t = fs::last_write_time(b.directory, ec);
    auto secs = ec ? std::time(nullptr)
                   : std::chrono::system_clock::to_time_t(std::chrono::file_clock::to_sys(t));
    r.body += "<Bucket><Name>" + xml_escape(b.name) + "</Name><CreationDate>" + iso8601(secs) +
              "</CreationDate><BucketRegion>" + xml_escape(b.region) + "</BucketRegion></Bucket>";
  }
  r.body += "</Buckets></ListAllMyBucketsResult>";
  (void)region;
  return r;
}

// S3's URL encoding of keys in listings (encoding-type=url, which the AWS
// CLI asks for): everything but unreserved characters and '/'.
std::string url_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", c);
      out += b;
    }
  }
  return out;
}

// ListObjects (V1) and ListObjectsV2 (list-type=2): the keys under the
// prefix in key order, those holding the delimiter after it rolled up into
// CommonPrefixes, at most 1000 entries (no continuation).
Reply list_objects(const Bucket& b, std::string_view query) {
  auto param = [&](std::string_view name) { return semantics::parse_path_style("/x/" + query_value(query, name)).key; };
  std::string prefix = param("prefix"), delimiter = param("delimiter");
  bool v2 = query_value(query, "list-type") == "2";
  bool encode = query_value(query, "encoding-type") == "url";
  auto text = [&](const std::string& k) { return xml_escape(encode ? url_encode(k) : k); };
  std::map<std::string, fs::path> keys;
  std::set<std::string> common;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(b.directory, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string key = fs::relative(it->path(), b.directory, ec).generic_string();
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    size_t d = delimiter.empty() ? std::string::npos : key.find(delimiter, prefix.size());
    if (d != std::string::npos) common.insert(key.substr(0, d + delimiter.size()));
    else keys.emplace(key, it->path());
  }
  size_t count = 0;
  bool truncated = false;
  std::string contents, prefixes;
  for (const auto& [key, path] : keys) {
    if (count == 1000) {
      truncated = true;
      break;
    }
    struct stat st{};
    if (stat(path.c_str(), &st) != 0) continue;
    ++count;
    contents += "<Contents><Key>" + text(key) + "</Key><LastModified>" + iso8601(st.st_mtime) +
                "</LastModified><Size>" + std::to_string(st.st_size) + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
  }
  for (const auto& c : common) {
    if (count == 1000) {
      truncated = true;
      break;
    }
    ++count;
    prefixes += "<CommonPrefixes><Prefix>" + text(c) + "</Prefix></CommonPrefixes>";
  }
  Reply r;
  r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
           "<Name>" + xml_escape(b.name) + "</Name><Prefix>" + text(prefix) + "</Prefix>";
  if (!delimiter.empty()) r.body += "<Delimiter>" + text(delimiter) + "</Delimiter>";
  if (encode) r.body += "<EncodingType>url</EncodingType>";
  r.body += v2 ? "<KeyCount>" + std::to_string(count) + "</KeyCount>" : "<Marker></Marker>";
  r.body += "<MaxKeys>1000</MaxKeys><IsTruncated>" + std::string(truncated ? "true" : "false") + "</IsTruncated>";
  r.body += contents + prefixes + "</ListBucketResult>";
  return r;
}

Reply get_object(const Bucket& b, const std::string& key, const std::string& id) {
  std::string resource = "/" + b.name + "/" + key;
  auto file = object_file(b, key);
  struct stat st{};
  if (!file || stat(file->c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return error(404, "NoSuchKey", "The specified key does not exist.", resource, id);
  if (static_cast<uint64_t>(st.st_size) > kMaxObjectBytes)
    return error(501, "NotImplemented", "The vpclab lab S3 serves objects up to 256 MiB.", resource, id);
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return error(500, "InternalError", "The object's file cannot be read.", resource, id);
  Reply r;
  r.body = ss.str();
  r.content_type = content_type(key);
  r.headers = "Last-Modified: " + http::http_date(st.st_mtime) + "\r\nETag: \"" + md5_hex(r.body) +
              "\"\r\nAccept-Ranges: none\r\n";
  return r;
}

Reply s3(const http::Request& req, const ServiceAt& at, const std::vector<Bucket>& buckets, const std::string& id) {
  auto t = semantics::parse_path_style(req.path);
  if (t.bucket.empty()) return list_buckets(buckets, at.region);
  const Bucket* b = nullptr;
  for (const auto& x : buckets)
    if (x.name == t.bucket) b = &x;
  if (!b) return error(404, "NoSuchBucket", "The specified bucket does not exist", "/" + t.bucket, id);
  if (b->region != at.region) {
    // S3 answers a request to another Region's endpoint with where to go.
    Reply r = error(301, "PermanentRedirect",
                    "The bucket you are attempting to access must be addressed using the specified endpoint.",
                    "/" + t.bucket, id);
    r.headers = "x-amz-bucket-region: " + b->region + "\r\n";
    r.body.insert(r.body.rfind("</Error>"), "<Endpoint>s3." + b->region + ".amazonaws.com</Endpoint>");
    return r;
  }
  if (t.key.empty()) return list_objects(*b, req.query);
  return get_object(*b, t.key, id);
}

}  // namespace

std::string error_xml(std::string_view code, std::string_view message, std::string_view resource,
                      std::string_view request_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + xml_escape(code) + "</Code><Message>" +
         xml_escape(message) + "</Message>" + (resource.empty() ? "" : "<Resource>" + xml_escape(resource) + "</Resource>") +
         "<RequestId>" + std::string(request_id) + "</RequestId></Error>";
}

std::string answer(const http::Request& req, const ServiceAt& at, Ipv4Address client,
                   const std::vector<Bucket>& buckets) {
  std::string id = request_id();
  bool head = req.method == "HEAD";
  Reply r;
  if (at.service != "s3") {
    r = error(501, "NotImplemented",
              "The vpclab lab reaches " + at.service + " in " + at.region +
                  (at.endpoint.empty() ? "" : " through interface endpoint " + at.endpoint) +
                  " but does not emulate its API (it serves S3 objects only).",
              "", id);
  } else if (req.method != "GET" && !head) {
    r = error(501, "NotImplemented",
              "The vpclab lab S3 is read-only (GET and HEAD): its objects are the files of the lab manifest's s3: "
              "directories.",
              std::string(req.path), id);
  } else {
    r = s3(req, at, buckets, id);
  }
  if (!at.endpoint.empty()) r.headers += "x-vpclab-endpoint: " + at.endpoint + "\r\n";
  return serialize(r, head, client, id, at.service == "s3");
}

}  // namespace vpclab::dataplane::s3
