//! The router served over a real TCP socket (as the binary serves it): raw HTTP/1.1.

use sapcc_sim::{Config, Sim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn raw(addr: std::net::SocketAddr, request: String) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut out = vec![];
    s.read_to_end(&mut out).await.expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn token_then_bind_cart_over_loopback() {
    let sim = Sim::new(Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = sim.router();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let body = "grant_type=password&scope=&client_id=mobile_android&client_secret=secret&username=asagent&password=pw4all";
    let res = raw(addr, format!("POST /authorizationserver/oauth/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}", body.len())).await;
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    let json_start = res.find("\r\n\r\n").map(|i| i + 4).unwrap_or(0);
    let v: serde_json::Value = serde_json::from_str(&res[json_start..]).expect("json");
    let token = v["access_token"].as_str().unwrap_or_default();
    let body = "cartId=00002001&customerId=linda.wolf@rustic-hw.com";
    let res = raw(addr, format!("POST /assistedservicewebservices/bind-cart?baseSite=electronics-spa HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: bearer {token}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}", body.len())).await;
    assert!(res.starts_with("HTTP/1.1 200"), "{res}");
    assert!(
        res.to_ascii_lowercase().contains("content-length: 0"),
        "{res}"
    );
}
