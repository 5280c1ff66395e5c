#include "fakes/real/admin_client.hpp"

#include <stdexcept>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <nlohmann/json.hpp>

#include "fakes/real/admin_api.hpp"

namespace squall::fakes::real {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

struct reply {
  int status = 0;
  std::string body;
};

// One request on a fresh connection; throws boost::system::system_error on connect, I/O or timeout errors.
reply request(const admin_target& t, http::verb method, const std::string& path, const std::string& body = {}) {
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(t.timeout);
  stream.connect(t.endpoint);
  http::request<http::string_body> req{method, path, 11};
  req.set(http::field::host, t.host);
  req.set(http::field::connection, "close");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  beast::error_code ignored;
  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  return {static_cast<int>(res.result_int()), std::move(res.body())};
}

}  // namespace

bool is_squall_fake(const admin_target& target) {
  try {
    const reply r = request(target, http::verb::get, std::string(admin_prefix) + "/");
    if (r.status != 200) return false;
    const json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.value("server", "") == "squall fake http";
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::uint64_t> post_faults(const admin_target& target, const std::vector<fault_config>& faults) {
  std::vector<std::uint64_t> ids;
  for (const fault_config& f : faults) {
    json body = fault_json(f);
    body.erase("target");  // the fake's dependency may have another name than the scenario's
    reply r;
    try {
      r = request(target, http::verb::post, std::string(admin_prefix) + "/faults", body.dump());
    } catch (const std::exception& e) {
      throw std::runtime_error("cannot post a fault to the squall fake at " + target.host + ": " + e.what());
    }
    const json answer = json::parse(r.body, nullptr, false);
    if (r.status != 201 || !answer.is_object() || !answer.contains("id")) {
      throw std::runtime_error("the squall fake at " + target.host + " refused the fault " + body.dump() + " (HTTP " +
                               std::to_string(r.status) + "): " + r.body);
    }
    ids.push_back(answer.at("id").get<std::uint64_t>());
  }
  return ids;
}

}  // namespace squall::fakes::real
