//! Frames on both sides of tower-lsp-server. In front of its reader, a guard reads the
//! client's frames itself and passes on only well-formed messages. Behind its writer, one
//! queue of whole frames takes both what tower-lsp-server writes and the diagnostics the
//! server serialises itself (see [`Frames`]), and writes them to the client in turn.
//!
//! tower-lsp-server stops reading for good at the first frame it cannot decode (a bad
//! `Content-Length`, a body that is not a JSON-RPC message), and the server then exits as if
//! the client had gone. Here a bad header block is skipped up to the next blank line, a body
//! that is not a request or response is dropped with a line on stderr, and the stream goes on.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Longer header lines are not LSP; they are read in pieces and skipped.
const MAX_HEADER_LINE: u64 = 4096;

/// Bodies larger than this are refused (a document of hundreds of megabytes is not a
/// pipeline file); their header is skipped like any other bad header.
const MAX_BODY: usize = 512 << 20;

/// Copies well-formed frames from `input` to `output` until `input` ends or `output` closes.
pub async fn forward<I, O>(input: I, mut output: O)
where
    I: AsyncRead + Unpin,
    O: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    let skipped = |reason: &str| eprintln!("pipewarden: skipping a malformed message header: {reason}");
    while let Some(body) = next_body(&mut input, skipped).await {
        if !is_message(&body) {
            eprintln!("pipewarden: dropping a message that is not JSON-RPC 2.0");
            continue;
        }
        if write_frame(&mut output, &body, true).await.is_err() {
            return;
        }
    }
}

/// The queue of whole frame bodies to write to the client; `None` ends it.
pub type Frames = mpsc::UnboundedSender<Option<Vec<u8>>>;

/// Cuts what tower-lsp-server writes into frames and queues them, until it stops writing.
pub async fn queue_frames<I: AsyncRead + Unpin>(from_server: I, frames: Frames) {
    let mut input = BufReader::new(from_server);
    while let Some(body) = next_body(&mut input, |_| {}).await {
        let _ = frames.send(Some(body));
    }
    let _ = frames.send(None);
}

/// Writes the queued frames to the client, each whole, flushing when the queue runs dry so a
/// burst goes out in few writes.
pub async fn write_frames<O: AsyncWrite>(mut frames: mpsc::UnboundedReceiver<Option<Vec<u8>>>, output: O) {
    tokio::pin!(output);
    while let Some(Some(body)) = frames.recv().await {
        if write_frame(&mut output, &body, frames.is_empty()).await.is_err() {
            return;
        }
    }
    let _ = output.flush().await;
}

/// The body of the next frame, after skipping header blocks that are not valid (each handed
/// to `skipped` with the reason); `None` once `input` ends.
async fn next_body<I: AsyncRead + Unpin>(input: &mut BufReader<I>, skipped: impl Fn(&str)) -> Option<Vec<u8>> {
    loop {
        match read_headers(input).await {
            Headers::Length(length) => {
                let mut body = vec![0; length];
                return input.read_exact(&mut body).await.is_ok().then_some(body);
            }
            Headers::Invalid(reason) => skipped(&reason),
            Headers::End => return None,
        }
    }
}

/// Writes one frame: its header, its body, then a flush when `flush` asks for one.
async fn write_frame<O: AsyncWrite + Unpin>(output: &mut O, body: &[u8], flush: bool) -> std::io::Result<()> {
    output.write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes()).await?;
    output.write_all(body).await?;
    if flush { output.flush().await } else { Ok(()) }
}

enum Headers {
    Length(usize),
    Invalid(String),
    End,
}

/// Reads header lines up to a blank line and returns the body's length.
async fn read_headers<I: AsyncRead + Unpin>(input: &mut BufReader<I>) -> Headers {
    let mut length = None;
    let mut problem = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        match (&mut *input).take(MAX_HEADER_LINE).read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return Headers::End,
            Ok(_) => {}
        }
        if !line.ends_with(b"\n") {
            problem = Some("a header line too long".to_owned());
            continue;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            if length.is_none() && problem.is_none() {
                // Blank lines between messages are tolerated.
                continue;
            }
            break;
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                match value.trim().parse::<usize>() {
                    Ok(value) if value <= MAX_BODY => length = Some(value),
                    _ => problem = Some(format!("bad Content-Length `{}`", value.trim())),
                }
            }
            Some(_) => {}
            None => problem = Some(format!("not a header: `{}`", shorten(text))),
        }
    }
    match (length, problem) {
        (Some(length), None) => Headers::Length(length),
        (_, Some(problem)) => Headers::Invalid(problem),
        (None, None) => Headers::Invalid("no Content-Length".to_owned()),
    }
}

/// Whether tower-lsp-server can decode `body`.
fn is_message(body: &[u8]) -> bool {
    serde_json::from_slice::<Request>(body).is_ok() || serde_json::from_slice::<Response>(body).is_ok()
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}
