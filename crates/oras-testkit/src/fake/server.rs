//! The HTTP side: accept loops on both origins, and the pipeline every
//! request goes through — fault, authentication, routing, response
//! decoration, logging.

use std::sync::Arc;

use http::header::HeaderValue;
use http::{HeaderMap, Method, Request, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use super::body::{self, DroppingBody, RequestBody, Resp};
use super::config::Auth;
use super::errors::ErrorCode;
use super::exchange::{Abort, Exchange, Shared, valid_name};
use super::fault::FaultAction;
use super::log::{Origin, RequestRecord};
use super::route::{Query, Route};
use super::{auth, blobs, listing, manifests, uploads};

/// Marks a response to a request the spec has no endpoint for.
#[derive(Clone, Copy)]
struct Unexpected;

/// Serves `listener` until the task is aborted; aborting drops the
/// `JoinSet`, which aborts every open connection with it.
pub(crate) async fn serve(listener: TcpListener, shared: Arc<Shared>, origin: Origin) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // E.g. out of file descriptors: back off briefly.
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                    continue;
                };
                let shared = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |req| handle(shared.clone(), origin, req));
                    let builder = auto::Builder::new(TokioExecutor::new());
                    // A connection error (client gone, injected drop) ends
                    // only this connection.
                    let _ = builder.serve_connection(TokioIo::new(stream), service).await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One request: fault, auth, route, decorate, log.
async fn handle(
    shared: Arc<Shared>,
    origin: Origin,
    req: Request<Incoming>,
) -> Result<Resp, Abort> {
    let (parts, incoming) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let fault = shared.fault_for(origin, &parts.method, &path);
    let mut record = RequestRecord {
        origin,
        method: parts.method.clone(),
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| path.clone(), |pq| pq.as_str().to_owned()),
        request_headers: parts.headers.clone(),
        status: 0,
        response_headers: HeaderMap::new(),
        fault: fault.as_ref().map(|action| format!("{action:?}")),
        unexpected: false,
    };

    let mut drop_response_after = None;
    let mut request_limit = None;
    match fault {
        Some(FaultAction::Respond {
            status,
            retry_after,
            code,
        }) => {
            let mut resp = body::error(
                status,
                code.unwrap_or_else(|| ErrorCode::for_status(status)),
                "injected fault",
            );
            if let Some(seconds) = retry_after {
                resp.headers_mut()
                    .insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            return Ok(finish(&shared, record, decorate(resp)));
        }
        Some(FaultAction::CloseConnection) => {
            shared.lock().log.push(record);
            return Err(Abort("injected fault"));
        }
        Some(FaultAction::Delay(delay)) => tokio::time::sleep(delay).await,
        Some(FaultAction::DropResponseAfter(n)) => drop_response_after = Some(n),
        Some(FaultAction::DropRequestAfter(n)) => request_limit = Some(n),
        None => {}
    }

    let route = Route::parse(&path);
    let mut ex = Exchange {
        shared: shared.clone(),
        origin,
        method: parts.method,
        headers: parts.headers,
        query: Query::parse(parts.uri.query()),
        body: RequestBody::new(incoming, request_limit),
    };
    let denied = match origin {
        Origin::Registry => auth::check(&ex, &route),
        Origin::Other => None,
    };
    let outcome = match denied {
        Some(resp) => Ok(resp),
        None => dispatch(&mut ex, route).await,
    };
    match outcome {
        Ok(mut resp) => {
            if let Some(limit) = drop_response_after {
                let inner = std::mem::replace(resp.body_mut(), body::empty());
                *resp.body_mut() = DroppingBody::wrap(inner, limit);
            }
            Ok(finish(&shared, record, decorate(resp)))
        }
        Err(abort) => {
            record.unexpected = false;
            shared.lock().log.push(record);
            Err(abort)
        }
    }
}

/// Adds the headers every response carries.
fn decorate(mut resp: Resp) -> Resp {
    resp.headers_mut().insert(
        "docker-distribution-api-version",
        HeaderValue::from_static("registry/2.0"),
    );
    resp
}

/// Logs the exchange and hands the response back.
fn finish(shared: &Shared, mut record: RequestRecord, resp: Resp) -> Resp {
    record.status = resp.status().as_u16();
    record.response_headers = resp.headers().clone();
    record.unexpected = resp.extensions().get::<Unexpected>().is_some();
    shared.lock().log.push(record);
    resp
}

/// Routes to the endpoint handlers.
async fn dispatch(ex: &mut Exchange, route: Route) -> Result<Resp, Abort> {
    if matches!(route, Route::Referrers { .. }) && !ex.config().referrers_api {
        // Distribution 2.8's answer: no JSON, so no NAME_UNKNOWN, which is
        // what makes oras-go fall back to the tag schema.
        return Ok(body::with_body(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "404 page not found\n",
        ));
    }
    if let Some(name) = route.name()
        && !valid_name(name)
    {
        return Ok(body::error(
            StatusCode::BAD_REQUEST,
            ErrorCode::NameInvalid,
            &format!("invalid repository name {name:?}"),
        ));
    }
    let method = ex.method.clone();
    let get_or_head = method == Method::GET || method == Method::HEAD;
    let resp = match route {
        Route::Base if get_or_head => {
            let resp = body::json(StatusCode::OK, &serde_json::json!({}));
            if ex.is_head() {
                body::head_of(resp, 2)
            } else {
                resp
            }
        }
        Route::Catalog if method == Method::GET => listing::catalog(ex),
        Route::Token
            if (method == Method::GET || method == Method::POST)
                && ex.origin == Origin::Registry
                && matches!(ex.config().auth, Auth::Bearer(_)) =>
        {
            auth::token(ex).await?
        }
        Route::Tags { name } if method == Method::GET => listing::tags(ex, &name),
        Route::Manifest { name, reference } => match method {
            Method::GET | Method::HEAD => manifests::get(ex, &name, &reference),
            Method::PUT => manifests::put(ex, &name, &reference).await?,
            Method::DELETE => manifests::delete(ex, &name, &reference),
            _ => return Ok(method_not_allowed()),
        },
        Route::Blob { name, digest } => match method {
            Method::GET | Method::HEAD => blobs::get(ex, &name, &digest),
            Method::DELETE => blobs::delete(ex, &name, &digest),
            _ => return Ok(method_not_allowed()),
        },
        Route::UploadStart { name } if method == Method::POST => uploads::start(ex, &name).await?,
        Route::Upload { name, id } => match method {
            Method::PATCH => uploads::patch(ex, &name, &id).await?,
            Method::PUT => uploads::put(ex, &name, &id).await?,
            Method::GET => uploads::status(ex, &name, &id),
            Method::DELETE => uploads::cancel(ex, &name, &id),
            _ => return Ok(method_not_allowed()),
        },
        Route::Referrers { name, digest } if method == Method::GET => {
            listing::referrers(ex, &name, &digest)
        }
        Route::Unknown | Route::Token => {
            let mut resp = body::with_body(
                StatusCode::NOT_FOUND,
                "text/plain; charset=utf-8",
                "404 page not found\n",
            );
            resp.extensions_mut().insert(Unexpected);
            return Ok(resp);
        }
        _ => return Ok(method_not_allowed()),
    };
    Ok(resp)
}

/// 405 for a known path with a method the spec does not define there.
fn method_not_allowed() -> Resp {
    let mut resp = body::error(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::Unsupported,
        "method not allowed on this endpoint",
    );
    resp.extensions_mut().insert(Unexpected);
    resp
}
