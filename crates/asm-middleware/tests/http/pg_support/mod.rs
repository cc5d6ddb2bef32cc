//! Test databases in the private PostgreSQL that `cargo xtask test` (or `cargo xtask pg`) starts
//! and names in `ASM_TEST_POSTGRES`. Each test gets a fresh database, dropped when its guard drops.
//!
//! Without `ASM_TEST_POSTGRES` the PostgreSQL tests are skipped with a notice — except under CI
//! (`CI` set), where they fail, so that CI never skips them silently.

#![allow(dead_code)] // each test file uses part of it

/// The server URL, or `None` (after a notice) when the tests should be skipped.
///
/// # Panics
/// When `CI` is set and `ASM_TEST_POSTGRES` is not.
pub fn server_url() -> Option<String> {
    match std::env::var("ASM_TEST_POSTGRES") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().to_owned()),
        _ => {
            assert!(
                std::env::var_os("CI").is_none(),
                "ASM_TEST_POSTGRES is not set, but CI is: the PostgreSQL tests must run in CI \
                 (`cargo xtask test` starts a private cluster and sets it)"
            );
            eprintln!(
                "notice: ASM_TEST_POSTGRES is not set: skipping this PostgreSQL test \
                 (`cargo xtask pg` starts a server and prints the URL to export)"
            );
            None
        }
    }
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

async fn admin(server: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to ASM_TEST_POSTGRES {server}: {e}"));
    tokio::spawn(connection);
    client
}

/// A fresh database; dropped (with `FORCE`, so open pools do not keep it) when this drops.
pub struct TestDb {
    /// URL of the new database.
    pub url: String,
    /// Its name.
    pub name: String,
    server: String,
}

impl TestDb {
    /// A new database `t_<random>` on the test server, or `None` when the tests are skipped.
    pub async fn create() -> Option<TestDb> {
        let server = server_url()?;
        let name = format!("t_{:016x}", fastrand::u64(..));
        admin(&server)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        Some(TestDb {
            url: with_database(&server, &name),
            name,
            server,
        })
    }
}

impl TestDb {
    /// [`TestDb::create`] from synchronous code (also inside a test's runtime), migrated for the
    /// session store: then `PostgresStore::lazy(&db.url, n)` gives a store that needs no `.await`
    /// to build (e.g. for a synchronous test harness constructor).
    pub fn create_migrated_blocking() -> Option<TestDb> {
        std::thread::spawn(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                let db = TestDb::create().await?;
                asm_middleware::store::postgres::migrate(&db.url)
                    .await
                    .expect("migrate the test database");
                Some(db)
            })
        })
        .join()
        .expect("create the test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // Its own thread and runtime: this may run inside (or after) the test's runtime.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let (client, connection) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
                    .await
                    .ok()?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("note: could not drop test database {}", self.name);
        }
    }
}

/// A TCP proxy in front of the test server that can be cut (every connection dropped, the port
/// closed) and restored on the same port: a database outage as the middleware sees it.
pub struct Proxy {
    /// The database URL through the proxy.
    pub url: String,
    port: u16,
    target: std::net::SocketAddr,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Proxy {
    /// A proxy to the server of the database `url`.
    pub async fn start(url: &str) -> Proxy {
        let target = socket_of(url);
        let mut p = Proxy {
            url: String::new(),
            port: 0,
            target,
            task: None,
        };
        p.listen().await;
        p.url = url.replacen(&format!(":{}/", target.port()), &format!(":{}/", p.port), 1);
        p
    }

    /// Accepts connections (again, on the same port).
    pub async fn listen(&mut self) {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_reuseaddr(true).expect("reuseaddr");
        socket
            .bind(std::net::SocketAddr::from(([127, 0, 0, 1], self.port)))
            .expect("bind proxy");
        let listener = socket.listen(64).expect("listen");
        self.port = listener.local_addr().expect("addr").port();
        let target = self.target;
        self.task = Some(tokio::spawn(async move {
            let mut conns = tokio::task::JoinSet::new();
            while let Ok((mut inbound, _)) = listener.accept().await {
                conns.spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
            // Aborting this task drops `conns`, which aborts (closes) every connection.
        }));
    }

    /// Drops every connection and closes the port.
    pub fn cut(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}

fn socket_of(url: &str) -> std::net::SocketAddr {
    let config: tokio_postgres::Config = url.parse().expect("url");
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        other => panic!("a TCP host, not {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), port))
        .expect("resolve")
        .next()
        .expect("an address")
}

#[test]
fn urls_get_another_database() {
    assert_eq!(
        with_database("postgres://asm@127.0.0.1:5/postgres", "t_1"),
        "postgres://asm@127.0.0.1:5/t_1"
    );
    assert_eq!(
        with_database("postgres://asm@h:5/postgres?connect_timeout=3", "x"),
        "postgres://asm@h:5/x?connect_timeout=3"
    );
    assert_eq!(
        with_database("postgres://asm@h:5", "x"),
        "postgres://asm@h:5/x"
    );
}

#[tokio::test]
async fn a_migrated_database_from_synchronous_code() {
    use asm_middleware::ports::SessionStore;
    let Some(db) = TestDb::create_migrated_blocking() else {
        return;
    };
    let store = asm_middleware::store::postgres::PostgresStore::lazy(&db.url, 2).expect("pool");
    assert_eq!(store.count_agent_sessions(None).await.expect("count"), 0);
}
