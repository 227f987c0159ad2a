//! Each answered request: its time by route, method and status, and its error code when it is a
//! refusal.

use std::{sync::PoisonError, time::Duration};

use axum::{http::Method, response::Response};
use metrics::{Key, Label, Recorder as _};

use super::{
    METADATA, Metrics,
    names::{REFUSALS, REQUEST_SECONDS},
    register_counter,
};
use crate::error::ErrorCode;

impl Metrics {
    /// Times one answered request, and counts its error code when it is a refusal.
    pub(crate) fn request_answered(
        &self,
        route: &str,
        method: &Method,
        response: &Response,
        took: Duration,
    ) {
        let method = method_label(method);
        let status = response.status().as_u16();
        let seconds = took.as_secs_f64();
        let recorded = {
            let requests = self.requests.read().unwrap_or_else(PoisonError::into_inner);
            requests
                .get(route)
                .and_then(|list| list.iter().find(|(m, s, _)| *m == method && *s == status))
                .map(|(_, _, histogram)| histogram.record(seconds))
                .is_some()
        };
        if !recorded {
            let key = Key::from_parts(
                REQUEST_SECONDS,
                vec![
                    Label::new("route", route.to_owned()),
                    Label::from_static_parts("method", method),
                    Label::new("status", status.to_string()),
                ],
            );
            let histogram = self.recorder.register_histogram(&key, &METADATA);
            histogram.record(seconds);
            self.requests
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(route.into())
                .or_default()
                .push((method, status, histogram));
        }

        if status >= 400 {
            let code = match response.extensions().get::<ErrorCode>() {
                Some(ErrorCode(code)) => code,
                // Replies made by layers rather than by `ApiError`.
                None if status == 408 => "request_timeout",
                None => "other",
            };
            let counted = self
                .refusals
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .get(code)
                .map(|c| c.increment(1))
                .is_some();
            if !counted {
                let counter = register_counter(&self.recorder, REFUSALS, "code", code);
                counter.increment(1);
                self.refusals
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(code, counter);
            }
        }
    }
}

/// A fixed label for the request method: clients may send any token as a method.
pub(super) fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}
