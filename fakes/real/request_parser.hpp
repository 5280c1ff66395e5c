#pragma once
// A Beast request parser that keeps only what the fake server needs (method, target, and the body of admin
// requests) in storage the connection reuses, so parsing a request allocates nothing. Beast enforces the
// header and body limits and the HTTP/1.1 grammar; keep-alive and framing come from basic_parser.
#include <string>

#include <boost/beast/http/basic_parser.hpp>

#include "fakes/real/admin_api.hpp"

namespace squall::fakes::real {

struct request_info {
  boost::beast::http::verb method = boost::beast::http::verb::unknown;
  std::string method_text, target, body;
  bool keep_body = false;  // control requests: the body is the admin call's argument
};

class request_parser final : public boost::beast::http::basic_parser<true> {
 public:
  explicit request_parser(request_info& out) : out_(out) {
    out_.method_text.clear();
    out_.target.clear();
    out_.body.clear();
    out_.keep_body = false;
  }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb method, string_view method_text, string_view target, int,
                       error_code&) override {
    out_.method = method;
    out_.method_text.assign(method_text.data(), method_text.size());
    out_.target.assign(target.data(), target.size());
    out_.keep_body = is_control_target(out_.target);
    // Before any header field: a larger Content-Length is then refused as soon as the header ends.
    if (out_.keep_body) body_limit(admin_body_max);
  }
  void on_response_impl(int, string_view, int, error_code&) override {}
  void on_field_impl(boost::beast::http::field, string_view, string_view, error_code&) override {}
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code& ec) override { return keep(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override { return keep(body, ec); }
  void on_finish_impl(error_code&) override {}

  std::size_t keep(string_view body, error_code& ec) {
    if (!out_.keep_body) return body.size();  // the model's answer does not depend on the body: drop it
    if (out_.body.size() + body.size() > admin_body_max) {
      ec = boost::beast::http::error::body_limit;
      return 0;
    }
    out_.body.append(body.data(), body.size());
    return body.size();
  }

  request_info& out_;
};

}  // namespace squall::fakes::real
