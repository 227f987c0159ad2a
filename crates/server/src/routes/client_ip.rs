//! The customer's address as an extractor, for the per-IP limits.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::request::Parts,
};

use crate::{ApiError, AppState};

/// The customer's address: the peer's, or the one trusted proxies name (see `client_ip.rs`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClientIp(pub(crate) IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or_else(|| {
                ApiError::Unexpected(anyhow::anyhow!("no peer address on the request"))
            })?;
        Ok(Self(
            state
                .http
                .trusted_proxies
                .client_ip(peer.ip(), &parts.headers),
        ))
    }
}
