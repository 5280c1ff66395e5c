// sim::rng: determinism, named forks, the generator against published vectors, and the distributions against
// their closed-form moments (within 5 standard errors over 200k draws; the seeds are fixed, so a pass is stable).
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "sim/rng.hpp"
#include "tests/sim/moments.hpp"

using squall::sim::rng;
using squall::test::moments;
using squall::test::within_se;

namespace {

constexpr int draws = 200'000;

// Independent transcriptions of the published algorithms (Vigna's splitmix64.c and Blackman & Vigna's
// xoshiro256starstar.c). They are checked against published vectors below before being used as oracles.
std::uint64_t ref_splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

struct ref_xoshiro256ss {
  std::array<std::uint64_t, 4> s;
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  static ref_xoshiro256ss seeded(std::uint64_t seed) {
    ref_xoshiro256ss g{};
    for (auto& w : g.s) w = ref_splitmix64(seed);
    return g;
  }
};

std::uint64_t ref_fnv1a64(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// Standard normal CDF.
double phi(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

}  // namespace

TEST_CASE("the reference transcriptions reproduce the published vectors", "[rng]") {
  // splitmix64 from state 0 (splitmix64.c; the same values appear in many ports' test suites).
  std::uint64_t x = 0;
  CHECK(ref_splitmix64(x) == 0xe220a8397b1dcdafULL);
  CHECK(ref_splitmix64(x) == 0x6e789e6aa1b965f4ULL);
  CHECK(ref_splitmix64(x) == 0x06c45d188009454fULL);
  // xoshiro256** from the state {1, 2, 3, 4} (rand_xoshiro's test against the reference C code).
  ref_xoshiro256ss g{{1, 2, 3, 4}};
  const std::uint64_t expected[] = {11520ULL,
                                    0ULL,
                                    1509978240ULL,
                                    1215971899390074240ULL,
                                    1216172134540287360ULL,
                                    607988272756665600ULL,
                                    16172922978634559625ULL,
                                    8476171486693032832ULL,
                                    10595114339597558777ULL,
                                    2904607092377533576ULL};
  for (std::uint64_t e : expected) CHECK(g.next() == e);
}

TEST_CASE("splitmix64 and hash_name match the published algorithms", "[rng]") {
  std::uint64_t mine = 0, ref = 0;
  CHECK(squall::sim::splitmix64(mine) == 0xe220a8397b1dcdafULL);
  for (int i = 0; i < 100; ++i) {
    mine = ref = 0x0123456789abcdefULL * static_cast<std::uint64_t>(i);
    CHECK(squall::sim::splitmix64(mine) == ref_splitmix64(ref));
    CHECK(mine == ref);  // the state advances the same way
  }
  // FNV-1a 64 test vectors (Fowler/Noll/Vo reference: "" -> offset basis, "a", "foobar").
  CHECK(squall::sim::hash_name("") == 0xcbf29ce484222325ULL);
  CHECK(squall::sim::hash_name("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(squall::sim::hash_name("foobar") == 0x85944171f73967e8ULL);
  CHECK(squall::sim::hash_name("dependency/api") == ref_fnv1a64("dependency/api"));
}

TEST_CASE("rng(seed) is xoshiro256** over a splitmix64-seeded state", "[rng]") {
  // Seed 42: the first outputs of the reference algorithm with the state words taken from successive
  // splitmix64 outputs (the values published by other ports' tests).
  rng r(42);
  CHECK(r.next() == 1546998764402558742ULL);
  CHECK(r.next() == 6990951692964543102ULL);
  CHECK(r.next() == 12544586762248559009ULL);
  CHECK(r.next() == 17057574109182124193ULL);

  for (std::uint64_t seed : {0ULL, 1ULL, 7ULL, 0xdeadbeefULL, ~0ULL}) {
    rng mine(seed);
    auto ref = ref_xoshiro256ss::seeded(seed);
    for (int i = 0; i < 1000; ++i) REQUIRE(mine.next() == ref.next());
    CHECK(mine.seed() == seed);
  }
}

TEST_CASE("same seed gives the same stream, different seeds differ", "[rng]") {
  rng a(2024), b(2024), c(2025);
  int equal_ac = 0;
  for (int i = 0; i < 10'000; ++i) {
    const std::uint64_t x = a.next();
    REQUIRE(x == b.next());
    if (x == c.next()) ++equal_ac;
  }
  CHECK(equal_ac == 0);
  // The same holds through the distributions.
  rng d(9), e(9);
  for (int i = 0; i < 100; ++i) {
    REQUIRE(d.lognormal(20, 0.5) == e.lognormal(20, 0.5));
    REQUIRE(d.exponential(3) == e.exponential(3));
  }
}

TEST_CASE("fork(name) depends only on the seed and the name", "[rng]") {
  const rng parent(77);
  rng drawn(77);
  for (int i = 0; i < 1000; ++i) drawn.next();  // draws on the parent must not shift its forks

  rng f1 = parent.fork("arrivals");
  rng f2 = drawn.fork("arrivals");
  for (int i = 0; i < 1000; ++i) REQUIRE(f1.next() == f2.next());

  // The fork's seed is splitmix64(seed ^ fnv1a(name)): pin the derivation with the oracles.
  std::uint64_t mixed = 77 ^ ref_fnv1a64("arrivals");
  const std::uint64_t fork_seed = ref_splitmix64(mixed);
  CHECK(parent.fork("arrivals").seed() == fork_seed);
  auto ref = ref_xoshiro256ss::seeded(fork_seed);
  rng f3 = parent.fork("arrivals");
  for (int i = 0; i < 100; ++i) REQUIRE(f3.next() == ref.next());

  // Forking does not advance the parent.
  rng p(77), fresh(77);
  (void)p.fork("x");
  (void)p.fork("y");
  for (int i = 0; i < 100; ++i) REQUIRE(p.next() == fresh.next());
}

TEST_CASE("forks differ per name, per parent seed and from the parent", "[rng]") {
  const rng parent(5);
  rng a = parent.fork("a"), b = parent.fork("b"), other = rng(6).fork("a"), self = parent;
  rng nested = parent.fork("a").fork("a");
  int same_ab = 0, same_other = 0, same_parent = 0, same_nested = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.next();
    if (x == b.next()) ++same_ab;
    if (x == other.next()) ++same_other;
    if (x == self.next()) ++same_parent;
    if (x == nested.next()) ++same_nested;
  }
  CHECK(same_ab == 0);
  CHECK(same_other == 0);
  CHECK(same_parent == 0);
  CHECK(same_nested == 0);

  // No linear correlation between two sibling streams: |r| within 5 standard errors (1/sqrt(n)) of 0.
  rng u = parent.fork("u"), v = parent.fork("v");
  double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < draws; ++i) {
    const double x = u.uniform01(), y = v.uniform01();
    sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
  }
  const double n = draws;
  const double r = (n * sxy - sx * sy) / std::sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
  CHECK(std::fabs(r) < 5.0 / std::sqrt(n));
}

TEST_CASE("uniform01 takes the top 53 bits and stays in (0, 1)", "[rng]") {
  rng a(11), b(11);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.uniform01() == static_cast<double>(b.next() >> 11) * 0x1.0p-53);
  moments m;
  rng r(12);
  double lo = 1, hi = 0;
  for (int i = 0; i < draws; ++i) {
    const double x = r.uniform01();
    lo = std::min(lo, x), hi = std::max(hi, x);
    m.add(x);
  }
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  CHECK(within_se(m.mean, 0.5, std::sqrt(1.0 / 12 / draws)));
}

TEST_CASE("uniform(lo, hi): range, mean and variance", "[rng][dist]") {
  const double lo = -3, hi = 7, w = hi - lo;
  rng r(13);
  moments m;
  bool in_range = true;
  for (int i = 0; i < draws; ++i) {
    const double x = r.uniform(lo, hi);
    in_range = in_range && x >= lo && x < hi;
    m.add(x);
  }
  CHECK(in_range);
  const double var = w * w / 12, mu4 = w * w * w * w / 80;
  CHECK(within_se(m.mean, (lo + hi) / 2, std::sqrt(var / draws)));
  CHECK(within_se(m.variance(), var, std::sqrt((mu4 - var * var) / draws)));
}

TEST_CASE("bernoulli(p): frequency, and the edges draw nothing", "[rng][dist]") {
  for (double p : {0.01, 0.3, 0.5, 0.97}) {
    rng r(14);
    int hits = 0;
    for (int i = 0; i < draws; ++i) hits += r.bernoulli(p) ? 1 : 0;
    CHECK(within_se(static_cast<double>(hits) / draws, p, std::sqrt(p * (1 - p) / draws)));
  }
  rng r(15), untouched(15);
  bool any_zero = false, all_one = true;
  for (int i = 0; i < 1000; ++i) {
    any_zero = any_zero || r.bernoulli(0.0) || r.bernoulli(-1.0);
    all_one = all_one && r.bernoulli(1.0) && r.bernoulli(2.0);
  }
  CHECK_FALSE(any_zero);
  CHECK(all_one);
  CHECK(r.next() == untouched.next());  // p <= 0 and p >= 1 are decided without a draw
}

TEST_CASE("exponential(mean): mean, variance and memorylessness", "[rng][dist]") {
  const double mean = 4.0;
  rng r(16);
  moments m, over;
  int above = 0;
  bool positive = true;
  for (int i = 0; i < draws; ++i) {
    const double x = r.exponential(mean);
    positive = positive && x >= 0;
    m.add(x);
    if (x > mean) {
      ++above;
      over.add(x - mean);  // memoryless: the excess over any threshold is again exponential(mean)
    }
  }
  CHECK(positive);
  CHECK(within_se(m.mean, mean, mean / std::sqrt(draws)));
  CHECK(within_se(m.variance(), mean * mean, std::sqrt(8.0 / draws) * mean * mean));
  const double p_above = std::exp(-1.0);
  CHECK(within_se(static_cast<double>(above) / draws, p_above, std::sqrt(p_above * (1 - p_above) / draws)));
  CHECK(within_se(over.mean, mean, mean / std::sqrt(static_cast<double>(over.n))));
}

TEST_CASE("normal(mean, stddev): mean, standard deviation and the 1-sigma mass", "[rng][dist]") {
  const double mu = 10, sigma = 3;
  rng r(17);
  moments m;
  int within_one = 0;
  for (int i = 0; i < draws; ++i) {
    const double x = r.normal(mu, sigma);
    m.add(x);
    if (std::fabs(x - mu) < sigma) ++within_one;
  }
  CHECK(within_se(m.mean, mu, sigma / std::sqrt(draws)));
  CHECK(within_se(m.stddev(), sigma, sigma / std::sqrt(2.0 * draws)));
  const double p = phi(1) - phi(-1);
  CHECK(within_se(static_cast<double>(within_one) / draws, p, std::sqrt(p * (1 - p) / draws)));
}

TEST_CASE("lognormal(median, sigma): median, log-moments and an upper quantile", "[rng][dist]") {
  const double median = 20, sigma = 0.5;
  rng r(18);
  moments logs;
  int below_median = 0, below_q = 0;
  const double q = median * std::exp(sigma);  // P(X < median·e^sigma) = Φ(1)
  bool positive = true;
  for (int i = 0; i < draws; ++i) {
    const double x = r.lognormal(median, sigma);
    positive = positive && x > 0;
    logs.add(std::log(x));
    if (x < median) ++below_median;
    if (x < q) ++below_q;
  }
  CHECK(positive);
  CHECK(within_se(static_cast<double>(below_median) / draws, 0.5, std::sqrt(0.25 / draws)));
  CHECK(within_se(static_cast<double>(below_q) / draws, phi(1), std::sqrt(phi(1) * (1 - phi(1)) / draws)));
  CHECK(within_se(logs.mean, std::log(median), sigma / std::sqrt(draws)));
  CHECK(within_se(logs.stddev(), sigma, sigma / std::sqrt(2.0 * draws)));
}

TEST_CASE("pareto(scale, shape): minimum, mean and tail", "[rng][dist]") {
  const double scale = 2, shape = 3;  // shape > 2: finite variance, so the mean has a standard error
  rng r(19);
  moments m;
  double lowest = 1e300;
  int above_2scale = 0;
  for (int i = 0; i < draws; ++i) {
    const double x = r.pareto(scale, shape);
    lowest = std::min(lowest, x);
    m.add(x);
    if (x > 2 * scale) ++above_2scale;
  }
  CHECK(lowest >= scale);
  CHECK(lowest < scale * 1.001);  // the minimum is approached
  const double mean = shape * scale / (shape - 1);
  const double var = scale * scale * shape / ((shape - 1) * (shape - 1) * (shape - 2));
  CHECK(within_se(m.mean, mean, std::sqrt(var / draws)));
  const double tail = std::pow(2.0, -shape);  // P(X > 2·scale) = 2^-shape
  CHECK(within_se(static_cast<double>(above_2scale) / draws, tail, std::sqrt(tail * (1 - tail) / draws)));

  // A heavier tail (1 < shape <= 2, infinite variance): check the median, scale·2^(1/shape), instead.
  rng h(20);
  const double heavy = 1.5, heavy_median = scale * std::pow(2.0, 1 / heavy);
  int below = 0;
  for (int i = 0; i < draws; ++i) below += h.pareto(scale, heavy) < heavy_median ? 1 : 0;
  CHECK(within_se(static_cast<double>(below) / draws, 0.5, std::sqrt(0.25 / draws)));
}
