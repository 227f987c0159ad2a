//! The HTTP floor on our own stack, for `bench/run`: hyper and tokio as `synerise-auth serve` uses
//! them (HTTP/1, a multi-threaded runtime with one worker more than CPUs, mimalloc, a header read
//! timer, `TCP_NODELAY`), answering every request with one fixed reply from memory. It checks no
//! key, reads no JSON and signs nothing, so what `synerise-auth` costs above it is the work of its
//! own and of axum's routing and layers.
//!
//! usage: hyper-floor PORT REPLY.json
//!
//! REPLY.json is `{"headers": [[name, value], ...], "body": "..."}`, the reply to replay. Prints
//! `hyper floor listening on http://ADDR` once it listens.

use std::{convert::Infallible, sync::Arc, time::Duration};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{
    Request, Response,
    body::Incoming,
    header::{HeaderName, HeaderValue},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::{TokioIo, TokioTimer};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The reply, parsed once.
struct Reply {
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

fn reply(path: &str) -> Result<Reply, Box<dyn std::error::Error>> {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path)?)?;
    let body = json["body"].as_str().ok_or("no body")?.to_owned();
    let mut headers = Vec::new();
    for pair in json["headers"].as_array().ok_or("no headers")? {
        let (Some(name), Some(value)) = (pair[0].as_str(), pair[1].as_str()) else {
            return Err("a header is not [name, value]".into());
        };
        headers.push((
            HeaderName::from_bytes(name.as_bytes())?,
            HeaderValue::from_str(value)?,
        ));
    }
    Ok(Reply {
        headers,
        body: Bytes::from(body),
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(path)) = (args.next(), args.next()) else {
        return Err("usage: hyper-floor PORT REPLY.json".into());
    };
    let port: u16 = port.parse()?;
    let reply = Arc::new(reply(&path)?);
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cpus + 1)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        println!("hyper floor listening on http://{}", listener.local_addr()?);
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let reply = Arc::clone(&reply);
            tokio::spawn(async move {
                let service = service_fn(move |request: Request<Incoming>| {
                    let reply = Arc::clone(&reply);
                    async move {
                        // Read the body, as a real handler must.
                        let _ = request.into_body().collect().await;
                        let mut response = Response::new(Full::new(reply.body.clone()));
                        for (name, value) in &reply.headers {
                            response.headers_mut().append(name.clone(), value.clone());
                        }
                        Ok::<_, Infallible>(response)
                    }
                });
                let _ = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(Duration::from_secs(10))
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
