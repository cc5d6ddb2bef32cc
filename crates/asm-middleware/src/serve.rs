//! Serving the app on a TCP listener with connection hygiene: hyper's HTTP/1 server with a
//! header-read timeout (a client that sends half its headers and stalls is cut off), an idle
//! keep-alive timeout, a cap on concurrent connections (kept under the process's file limit;
//! when it is reached, the oldest connection with no request in flight makes room, so
//! half-open connections cannot lock new clients out until they time out), and a graceful stop
//! that lets in-flight requests finish. The cap on in-flight requests, the request timeout and the body limit are
//! layers of the app itself (see [`crate::app`]).

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::BTreeMap;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify, Semaphore, TryAcquireError};
use tower::ServiceExt;

/// Limits of the connections (from [`crate::config::Config`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's head (request line and headers) must arrive within this; hyper also runs it
    /// while a kept-alive connection waits for its next request.
    pub header_read_timeout: Duration,
    /// A kept-alive connection with no request in flight is closed after this.
    pub keep_alive_timeout: Duration,
    /// Connections served at once; further clients wait in the listen queue.
    pub max_connections: usize,
}

impl ConnectionLimits {
    /// The limits of `config`.
    pub fn of(config: &crate::config::Config) -> Self {
        Self {
            header_read_timeout: Duration::from_millis(config.header_read_timeout_ms.max(1)),
            keep_alive_timeout: Duration::from_millis(config.keep_alive_timeout_ms.max(1)),
            max_connections: config.max_connections.clamp(1, 1_000_000),
        }
    }
}

/// Requests of one connection: how many are in flight, and a counter of those begun.
#[derive(Default)]
struct Activity {
    in_flight: AtomicUsize,
    begun: AtomicU64,
    changed: Notify,
}

/// Marks a request in flight on its connection until dropped.
struct InFlight(Arc<Activity>);

impl InFlight {
    fn begin(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::SeqCst);
        activity.begun.fetch_add(1, Ordering::SeqCst);
        activity.changed.notify_waiters();
        Self(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

impl Activity {
    /// Resolves once the connection had no request in flight and began none for `idle`.
    async fn idle_for(&self, idle: Duration) {
        loop {
            let changed = self.changed.notified();
            let mut changed = pin!(changed);
            changed.as_mut().enable();
            let begun = self.begun.load(Ordering::SeqCst);
            if self.in_flight.load(Ordering::SeqCst) > 0 {
                changed.await;
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(idle) => {
                    if self.in_flight.load(Ordering::SeqCst) == 0
                        && self.begun.load(Ordering::SeqCst) == begun
                    {
                        return;
                    }
                }
                () = changed => {}
            }
        }
    }
}

/// Each open connection by its number (older is lower): what it is doing, and how to close it.
type Open = BTreeMap<u64, (Arc<Activity>, Arc<Notify>)>;

/// The open connections.
#[derive(Default)]
struct Connections {
    open: std::sync::Mutex<Open>,
}

impl Connections {
    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Closes the oldest connection with no request in flight (one still sending its head, or
    /// kept alive between requests); `false` when every connection is busy.
    fn evict_oldest_idle(&self) -> bool {
        let mut open = self.lock();
        let oldest = open
            .iter()
            .find(|(_, (activity, _))| activity.in_flight.load(Ordering::SeqCst) == 0)
            .map(|(id, _)| *id);
        match oldest.and_then(|id| open.remove(&id)) {
            Some((_, close)) => {
                close.notify_one();
                true
            }
            None => false,
        }
    }
}

/// File descriptors kept for everything but connections (databases, logs, the listener, …).
const FD_RESERVE: u64 = 64;

/// The connection cap `wanted`, lowered to fit the process's open-file limit.
fn fitting_fd_limit(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct it is given.
        if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
            let room = limit.rlim_cur.saturating_sub(FD_RESERVE).max(1);
            let room = usize::try_from(room).unwrap_or(usize::MAX);
            if room < wanted {
                tracing::warn!(
                    wanted,
                    allowed = room,
                    "the open-file limit allows fewer connections than --max-connections"
                );
                return room;
            }
        }
    }
    wanted
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting, closes idle
/// connections, and returns when every in-flight request has been answered. Each request
/// carries `ConnectInfo<SocketAddr>` of its TCP peer.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let max_connections = fitting_fd_limit(limits.max_connections);
    let permits = Arc::new(Semaphore::new(max_connections));
    let connections = Arc::new(Connections::default());
    let mut next_id: u64 = 0;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = pin!(shutdown);
    loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            Err(TryAcquireError::Closed) => break,
            Err(TryAcquireError::NoPermits) => {
                // Full: the oldest idle connection makes room (else wait for one to end).
                connections.evict_oldest_idle();
                tokio::select! {
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let mut stop = stop_rx.clone();
        let id = next_id;
        next_id += 1;
        let activity = Arc::new(Activity::default());
        let evicted = Arc::new(Notify::new());
        connections
            .lock()
            .insert(id, (activity.clone(), evicted.clone()));
        let registry = connections.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let requests = activity.clone();
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let guard = InFlight::begin(&requests);
                    let mut req = req.map(Body::new);
                    req.extensions_mut().insert(ConnectInfo(peer));
                    let app = app.clone();
                    async move {
                        let res = app.oneshot(req).await;
                        drop(guard);
                        res
                    }
                });
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            let mut conn = pin!(conn);
            let mut closing = *stop.borrow();
            if closing {
                conn.as_mut().graceful_shutdown();
            }
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    // Room for a new client: dropping the connection closes it.
                    () = evicted.notified() => break,
                    _ = stop.changed(), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                    () = activity.idle_for(limits.keep_alive_timeout), if !closing => {
                        closing = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            registry.lock().remove(&id);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a permit until it is closed: all of them back means drained.
    let all = u32::try_from(max_connections).unwrap_or(1_000_000);
    let _ = permits.acquire_many(all).await;
}
