//! Applies document-sync notifications in arrival order.
//!
//! tower-lsp-server runs handlers concurrently, so two `didChange` notifications can be
//! handled out of order. Its reader calls `Service::call` once per message, in order; this
//! layer applies `didOpen`, `didChange` and `didClose` right there, synchronously, and hands
//! everything else to the inner service.

use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use tower::Service;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::{DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams};
use tower_lsp_server::{ExitedError, LspService};

use super::backend::Backend;
use super::documents::OpenDocument;
use super::state::{Publish, ServerState, lock};

pub struct Ordered {
    inner: LspService<Backend>,
    state: Arc<ServerState>,
}

impl Ordered {
    pub fn new(inner: LspService<Backend>, state: Arc<ServerState>) -> Self {
        Self { inner, state }
    }
}

impl Service<Request> for Ordered {
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<'static, Result<Option<Response>, ExitedError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let is_sync = request.id().is_none()
            && matches!(request.method(), "textDocument/didOpen" | "textDocument/didChange" | "textDocument/didClose");
        if !is_sync {
            return self.inner.call(request);
        }
        if self.state.is_serving() {
            apply(&self.state, request);
        }
        Box::pin(async { Ok(None) })
    }
}

fn apply(state: &ServerState, request: Request) {
    let (method, _, params) = request.into_parts();
    match method.as_ref() {
        "textDocument/didOpen" => {
            let Some(params) = decode::<DidOpenTextDocumentParams>(params) else {
                return;
            };
            let item = params.text_document;
            let options = state.policy().rule_options();
            let document =
                OpenDocument::open(&item.uri, item.language_id, item.version, &item.text, state.rules, options);
            state.insert_document(item.uri.clone(), document);
            state.publish(Publish::Analyze(item.uri));
        }
        "textDocument/didChange" => {
            let Some(params) = decode::<DidChangeTextDocumentParams>(params) else {
                return;
            };
            let Some(document) = state.document(&params.text_document.uri) else {
                return;
            };
            let mut document = lock(&document);
            // Versions only grow; a change for an older version is stale and not applied.
            if params.text_document.version <= document.version {
                return;
            }
            let encoding = state.encoding();
            for change in &params.content_changes {
                document.apply(change, encoding);
            }
            document.version = params.text_document.version;
            state.publish(Publish::Analyze(params.text_document.uri));
        }
        _ => {
            let Some(params) = decode::<DidCloseTextDocumentParams>(params) else {
                return;
            };
            if state.remove_document(&params.text_document.uri) {
                state.publish(Publish::Clear(params.text_document.uri));
            }
        }
    }
}

fn decode<T: DeserializeOwned>(params: Option<serde_json::Value>) -> Option<T> {
    serde_json::from_value(params?).ok()
}
