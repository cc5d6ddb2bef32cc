//! A per-client-address limit on anonymous cart creation (`POST /store/carts`, no sign-in):
//! a token bucket per address (GCRA, the `governor` crate) of `--guest-cart-burst` carts, one
//! more every `--guest-cart-refill-ms`. The address is the one the sign-in throttle uses
//! ([`crate::http::extract::ClientAddr`], with `--trusted-proxies`); IPv6 clients count per /64
//! (one host usually has a whole /64). Time is the middleware's [`Clock`], so tests move it.

use crate::http::error::Failure;
use crate::Clock;
use asm_types::error_type;
use axum::http::StatusCode;
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// The middleware's clock as `governor`'s time source (millisecond resolution).
#[derive(Clone)]
pub struct LimiterClock(Clock);

impl governor::clock::Clock for LimiterClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.0.now()).unwrap_or(0))
    }
}

type Limiter = RateLimiter<
    IpAddr,
    governor::state::keyed::HashMapStateStore<IpAddr>,
    LimiterClock,
    governor::middleware::NoOpMiddleware<Duration>,
>;

/// The guest-cart limit of every client address (off with a burst of 0). Cheap to clone.
#[derive(Clone)]
pub struct CartLimit {
    limiter: Option<Arc<Limiter>>,
    clock: LimiterClock,
}

impl CartLimit {
    /// `burst` carts at once per address, one more every `refill_ms` (at least 1 ms); no
    /// limit when `burst` is 0.
    pub fn new(burst: u32, refill_ms: u64, clock: Clock) -> Self {
        let clock = LimiterClock(clock);
        let quota = NonZeroU32::new(burst).and_then(|burst| {
            Quota::with_period(Duration::from_millis(refill_ms.max(1)))
                .map(|q| q.allow_burst(burst))
        });
        Self {
            limiter: quota.map(|q| Arc::new(RateLimiter::hashmap_with_clock(q, clock.clone()))),
            clock,
        }
    }

    /// Counts one new cart of `client` (`None`: no address known, one shared bucket), or
    /// refuses it with 429 `TooManyRequestsError` and `Retry-After` (whole seconds, at least 1).
    pub fn check(&self, client: Option<IpAddr>) -> Result<(), Failure> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let key = bucket(client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        limiter.check_key(&key).map_err(|not_until| {
            let now = governor::clock::Clock::now(&self.clock);
            let wait = not_until.wait_time_from(now);
            let seconds = wait.as_millis().div_ceil(1000).max(1);
            Failure::new(
                StatusCode::TOO_MANY_REQUESTS,
                error_type::BUSY,
                "Too many new carts from this address. Try again in a moment.",
            )
            .with_retry_after(u64::try_from(seconds).unwrap_or(u64::MAX))
        })
    }

    /// Forgets the addresses whose bucket is full again (called by the periodic sweep), so
    /// the table holds only recent clients.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// Addresses with a bucket kept now.
    pub fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }
}

/// The bucket of `ip`: the address itself for IPv4 (and IPv4-mapped IPv6), its /64 for IPv6.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(bucket(a), bucket(b));
        assert_ne!(bucket(a), bucket(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(bucket(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn burst_then_one_per_refill_on_the_given_clock() {
        let now = Arc::new(AtomicI64::new(1_000_000));
        let limit = CartLimit::new(3, 1_000, Clock::manual(now.clone()));
        let ip = Some("192.0.2.1".parse().unwrap());
        for _ in 0..3 {
            assert!(limit.check(ip).is_ok());
        }
        let refused = limit.check(ip).unwrap_err();
        assert_eq!(refused.retry_after, Some(1));
        now.fetch_add(999, Ordering::SeqCst);
        assert!(limit.check(ip).is_err(), "not refilled yet");
        now.fetch_add(1, Ordering::SeqCst);
        assert!(limit.check(ip).is_ok(), "one more after the refill period");
        assert!(limit.check(ip).is_err());
        // Idle long enough, the address's bucket is full again and forgotten.
        assert_eq!(limit.tracked(), 1);
        now.fetch_add(10_000, Ordering::SeqCst);
        limit.forget_idle();
        assert_eq!(limit.tracked(), 0);
    }

    #[test]
    fn a_burst_of_zero_turns_the_limit_off() {
        let limit = CartLimit::new(0, 1_000, Clock::manual(Arc::new(AtomicI64::new(0))));
        for _ in 0..100 {
            assert!(limit.check(None).is_ok());
        }
    }
}
