#include "fakes/real/live_service.hpp"

#include <algorithm>

namespace squall::fakes::real {
namespace {
bool active(const fault_config& f, stack::instant now) {
  const stack::duration t = now.time_since_epoch();
  return t >= f.from && t < f.to;
}
}  // namespace

live_service::live_service(dependency_config config, std::vector<fault_config> faults, std::uint64_t seed)
    : origin_(std::chrono::steady_clock::now()),
      config_(config),
      service_(std::move(config), {}, sim::rng(seed).fork("dependency/" + config_.name)) {
  // Through add(), so startup faults get ids like the ones posted later; the model checks them in start order.
  std::stable_sort(faults.begin(), faults.end(), [](const auto& a, const auto& b) { return a.from < b.from; });
  for (fault_config& f : faults) add(std::move(f));
}

stack::instant live_service::now() const {
  return stack::instant{std::chrono::duration_cast<stack::duration>(std::chrono::steady_clock::now() - origin_)};
}

sim::http_reply live_service::serve() {
  const std::lock_guard lock(mutex_);
  return service_.serve(now());
}

std::optional<std::uint64_t> live_service::add(fault_config fault) {
  const std::lock_guard lock(mutex_);
  drop_ended(now());
  if (ids_.size() >= max_faults) return std::nullopt;
  service_.add_fault(std::move(fault));
  ids_.push_back(next_id_);
  return next_id_++;
}

bool live_service::remove(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  const auto it = std::find(ids_.begin(), ids_.end(), id);
  if (it == ids_.end()) return false;
  service_.remove_fault(static_cast<std::size_t>(it - ids_.begin()));
  ids_.erase(it);
  return true;
}

std::size_t live_service::clear() {
  const std::lock_guard lock(mutex_);
  const std::size_t n = ids_.size();
  while (!ids_.empty()) {
    service_.remove_fault(ids_.size() - 1);
    ids_.pop_back();
  }
  return n;
}

std::vector<fault_entry> live_service::list() {
  const std::lock_guard lock(mutex_);
  drop_ended(now());
  std::vector<fault_entry> out;
  out.reserve(ids_.size());
  for (std::size_t i = 0; i < ids_.size(); ++i) out.push_back(fault_entry{ids_[i], service_.faults()[i]});
  return out;
}

std::size_t live_service::active_faults() {
  const std::lock_guard lock(mutex_);
  const stack::instant t = now();
  drop_ended(t);
  const auto& faults = service_.faults();
  return static_cast<std::size_t>(
      std::count_if(faults.begin(), faults.end(), [&](const fault_config& f) { return active(f, t); }));
}

bool live_service::outage_now() {
  const std::lock_guard lock(mutex_);
  const stack::instant t = now();
  const auto& faults = service_.faults();
  return std::any_of(faults.begin(), faults.end(),
                     [&](const fault_config& f) { return f.kind == fault_kind::outage && active(f, t); });
}

std::size_t live_service::queued() {
  const std::lock_guard lock(mutex_);
  return service_.queued(now());
}

void live_service::drop_ended(stack::instant now) {
  for (std::size_t i = ids_.size(); i-- > 0;) {
    if (service_.faults()[i].to <= now.time_since_epoch()) {
      service_.remove_fault(i);
      ids_.erase(ids_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
}

}  // namespace squall::fakes::real
