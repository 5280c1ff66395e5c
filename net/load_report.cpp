#include "net/load_report.hpp"

#include <fmt/format.h>

#include "reports/json_number.hpp"
#include "reports/request_checker.hpp"
#include "reports/render_text.hpp"

namespace squall::net {

namespace {

using reports::number;
using reports::ratio;

nlohmann::json by_status(const load_stats& s) {
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t status = 0; status < s.by_status.size(); ++status) {
    if (s.by_status[status] == 0) continue;
    out[status == 0 ? std::string("other") : std::to_string(status)] = s.by_status[status];
  }
  return out;
}

// 1234567 -> "1.23 M"; small counts stay exact.
std::string short_count(double x) {
  if (x >= 1e6) return fmt::format("{:.2f} M", x / 1e6);
  if (x >= 1e4) return fmt::format("{:.1f} k", x / 1e3);
  return fmt::format("{:.0f}", x);
}

}  // namespace

nlohmann::json load_report(const load_report_input& in) {
  const load_config& c = *in.config;
  const load_stats& s = *in.stats;
  const double duration_s = stack::to_s(c.duration);
  const double arrivals = static_cast<double>(s.loop.fired + s.loop.dropped);
  nlohmann::json report;
  report["kind"] = "load";
  report["target"] = in.url;
  report["config"] = {{"arrivals", in.arrivals},
                      {"rate_per_s", number(in.rate_per_s)},
                      {"duration_s", reports::seconds_from_ns(c.duration.count())},
                      {"connections", c.connections},
                      {"timeout_ms", number(stack::to_ms(c.timeout))},
                      {"max_in_flight", c.max_in_flight},
                      {"seed", c.seed}};
  report["requests"] = {{"arrivals", s.loop.fired + s.loop.dropped},
                        {"sent", s.loop.fired},
                        {"dropped", s.loop.dropped},
                        {"completed", s.completed()},
                        {"ok", s.ok},
                        {"errors", s.errors()},
                        {"by_kind",
                         {{"response", s.responses},
                          {"timeout", s.timeouts},
                          {"reset", s.resets},
                          {"connect_failure", s.connect_failures}}},
                        {"by_status", by_status(s)}};
  report["rate"] = {{"target_per_s", number(in.rate_per_s)},
                    {"arrivals_per_s", ratio(arrivals, duration_s)},
                    {"achieved_per_s", ratio(static_cast<double>(s.responses), duration_s)},
                    {"achieved_ratio", ratio(static_cast<double>(s.responses), in.rate_per_s * duration_s)}};
  report["latency_ms"] = reports::latency_ms_json(s.latency);
  report["service_ms"] = reports::latency_ms_json(s.service);
  report["dropped"] = s.loop.dropped;
  report["loop"] = {{"late", s.loop.late}, {"max_lag_ms", number(stack::to_ms(s.loop.max_lag))}};
  report["client"] = {{"connects", s.client.connects},
                      {"reconnects", s.client.reconnects},
                      {"max_open", s.client.max_open},
                      {"timeouts_closed", s.client.timeouts_closed}};
  report["elapsed_s"] = reports::seconds_from_ns(s.elapsed.count());
  report["repro"] = in.repro;
  return report;
}

std::string load_markdown(const nlohmann::json& report) {
  using reports::detail::at_path;
  using reports::detail::display;
  const auto v = [&](const char* path) { return display(at_path(report, path)); };
  std::string out = fmt::format("### squall load {}\n\n", reports::detail::md_code(report.value("target", "")));
  out += "| metric | value |\n|---|---|\n";
  out += fmt::format("| target rate / arrivals / achieved | {} / {} / {} req/s ({}) |\n", v("rate.target_per_s"),
                     v("rate.arrivals_per_s"), v("rate.achieved_per_s"), v("rate.achieved_ratio"));
  out += fmt::format("| sent / dropped / completed | {} / {} / {} |\n", v("requests.sent"), v("requests.dropped"),
                     v("requests.completed"));
  out += fmt::format("| ok / errors / timeouts | {} / {} / {} |\n", v("requests.ok"), v("requests.errors"),
                     v("requests.by_kind.timeout"));
  out += fmt::format("| resets / connect failures | {} / {} |\n", v("requests.by_kind.reset"),
                     v("requests.by_kind.connect_failure"));
  out += fmt::format("| latency from intended send p50 / p90 / p99 / p99.9 / max | {} / {} / {} / {} / {} ms |\n",
                     v("latency_ms.p50"), v("latency_ms.p90"), v("latency_ms.p99"), v("latency_ms.p999"),
                     v("latency_ms.max"));
  out += fmt::format("| service time p50 / p90 / p99 / p99.9 / max | {} / {} / {} / {} / {} ms |\n",
                     v("service_ms.p50"), v("service_ms.p90"), v("service_ms.p99"), v("service_ms.p999"),
                     v("service_ms.max"));
  const nlohmann::json& statuses = at_path(report, "requests.by_status");
  if (statuses.is_object() && !statuses.empty()) {
    std::string list;
    for (const auto& [status, count] : statuses.items()) {
      list += fmt::format("{}{}: {}", list.empty() ? "" : ", ", status, display(count));
    }
    out += fmt::format("| by status | {} |\n", list);
  }
  out += fmt::format("\nConfig: {} arrivals, {} connections, timeout {} ms, seed {}, at most {} in flight.\n",
                     v("config.arrivals"), v("config.connections"), v("config.timeout_ms"), v("config.seed"),
                     v("config.max_in_flight"));
  const std::string repro = report.value("repro", std::string());
  if (!repro.empty()) out += "\nRepro: " + reports::detail::md_code(repro) + "\n";
  return out;
}

std::string load_progress_text(const load_stats& s, stack::duration elapsed, stack::duration duration) {
  const double secs = std::max(stack::to_s(elapsed), 1e-9);
  const auto ms = [](const reports::latency_histogram& h, double q) { return h.quantile(q) / 1e6; };
  return fmt::format("squall load: {:.0f}/{:.0f} s, sent {}, {}/s, ok {}, errors {}, timeouts {}, dropped {}, "
                     "p50 {:.3g} ms, p99 {:.3g} ms",
                     std::min(stack::to_s(elapsed), stack::to_s(duration)), stack::to_s(duration),
                     short_count(static_cast<double>(s.loop.fired)),
                     short_count(static_cast<double>(s.completed()) / secs), short_count(static_cast<double>(s.ok)),
                     short_count(static_cast<double>(s.errors())), short_count(static_cast<double>(s.timeouts)),
                     short_count(static_cast<double>(s.loop.dropped)), ms(s.latency, 0.5), ms(s.latency, 0.99));
}

}  // namespace squall::net
