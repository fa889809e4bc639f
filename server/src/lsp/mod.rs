//! The language server: tower-lsp-server on tokio, over stdio.
//!
//! This is the only layer that knows LSP types. Document-sync notifications are applied in
//! the order they arrive by [`ordered::Ordered`], before tower-lsp-server's concurrent
//! dispatch; analysis and publishing run on one worker task per server, so diagnostics are
//! never published out of order.

mod actions;
mod backend;
mod convert;
mod crossfile;
mod diagnostics;
mod documents;
mod framing;
mod hover;
mod lens;
mod navigation;
mod ordered;
mod project;
mod state;
mod symbols;
mod tiled;

use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncRead, AsyncWrite};
#[cfg(unix)]
use tokio::net::unix::pipe;
use tower_lsp_server::{LspService, Server};

use crate::rules::{REGISTRY, Rule};
use backend::Backend;
pub use diagnostics::first_publish;
use state::ServerState;

/// Serves the Language Server Protocol over stdin and stdout until the client exits.
pub fn serve_stdio() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime can be started");
    runtime.block_on(async {
        match stdio_pipes() {
            Some((input, output)) => serve(input, output).await,
            None => serve(tokio::io::stdin(), tokio::io::stdout()).await,
        }
    });
    // A handler may still be running; the process is done once the client has exited.
    runtime.shutdown_background();
}

/// Stdin and stdout as pipes the runtime polls, when both are pipes (as editors start
/// servers): `tokio::io::stdin` and `stdout` hand every read and write to a thread of their
/// own, two thread switches added to each keystroke's round trip.
#[cfg(unix)]
fn stdio_pipes() -> Option<(pipe::Receiver, pipe::Sender)> {
    use std::os::fd::AsFd;
    // Each end is made non-blocking only once it is known to be a pipe; the first is put
    // back if the second is not one, for the fallback's blocking writes.
    let output = pipe::Sender::from_owned_fd(std::io::stdout().as_fd().try_clone_to_owned().ok()?).ok()?;
    match std::io::stdin().as_fd().try_clone_to_owned().and_then(pipe::Receiver::from_owned_fd) {
        Ok(input) => Some((input, output)),
        Err(_) => {
            let _ = output.into_blocking_fd();
            None
        }
    }
}

#[cfg(not(unix))]
fn stdio_pipes() -> Option<(tokio::io::Stdin, tokio::io::Stdout)> {
    None
}

/// Serves the Language Server Protocol over any byte streams, e.g. an in-process pipe.
pub async fn serve<I, O>(input: I, output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    serve_with_rules(input, output, REGISTRY).await;
}

/// Like [`serve`], running a chosen set of rules: how tests give the server a rule that
/// misbehaves.
pub async fn serve_with_rules<I, O>(input: I, output: O, rules: &'static [&'static dyn Rule])
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let slot: Arc<OnceLock<Arc<ServerState>>> = Arc::new(OnceLock::new());
    let (frames, queued) = tokio::sync::mpsc::unbounded_channel();
    let (service, socket) = LspService::build(|client| {
        let state = ServerState::new(client, rules, frames.clone());
        let _ = slot.set(Arc::clone(&state));
        Backend::new(state)
    })
    .custom_method("pipewarden/explain", Backend::explain)
    .custom_method("pipewarden/documentText", Backend::document_text)
    .finish();
    let state = Arc::clone(slot.get().expect("the service was built with the state"));
    let worker = tokio::spawn(diagnostics::run(Arc::clone(&state)));
    let (checked_input, checked) = tokio::io::duplex(1 << 16);
    let (server_output, from_server) = tokio::io::duplex(1 << 16);
    let serving = async {
        let serve = Server::new(checked_input, server_output, socket).serve(ordered::Ordered::new(service, state));
        tokio::pin!(serve);
        tokio::select! {
            () = &mut serve => {}
            // The client's input ended: `checked` is dropped, and the server ends once it has
            // handled what was forwarded.
            () = framing::forward(input, checked) => serve.await,
        }
        worker.abort();
        // `serve` and its output go here, which ends the queue of frames once written.
    };
    tokio::join!(serving, framing::queue_frames(from_server, frames), framing::write_frames(queued, output));
}
