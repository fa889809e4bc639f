//! The request handlers: each reads like from-proto → analysis → to-proto.

use std::sync::Arc;

use serde_json::Value;
use tower_lsp_server::LanguageServer;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability, CodeActionResponse, CodeLens,
    CodeLensOptions, CodeLensParams, DidChangeConfigurationParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DocumentSymbolParams, DocumentSymbolResponse, ExecuteCommandOptions,
    ExecuteCommandParams, FileSystemWatcher, GlobPattern, GotoDefinitionParams, GotoDefinitionResponse, Hover,
    HoverParams, HoverProviderCapability, InitializeParams, InitializeResult, InitializedParams, Location, MessageType,
    OneOf, ReferenceParams, Registration, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};

use super::state::{Publish, ServerState, lock};
use super::{actions, convert, hover, lens, navigation, symbols};
use crate::config::Settings;
use crate::rules::{self, docs};

/// The command that returns a rule's documentation: arguments `[rule-id]`.
pub const EXPLAIN_COMMAND: &str = "pipewarden.explain";

pub struct Backend {
    state: Arc<ServerState>,
}

impl Backend {
    pub fn new(state: Arc<ServerState>) -> Self {
        Self { state }
    }

    /// `pipewarden/explain`: `{"rule": "id"}` → the rule's documentation as Markdown.
    pub async fn explain(&self, params: Value) -> Result<String> {
        let id = params.get("rule").and_then(Value::as_str).unwrap_or_default();
        explain_rule(id)
    }

    /// `pipewarden/documentText`: `{"uri": "..."}` → `{"version": n, "text": "..."}`, the
    /// server's copy of an open document, for checking that client and server agree.
    pub async fn document_text(&self, params: Value) -> Result<Value> {
        let uri: Uri = params
            .get("uri")
            .and_then(|uri| serde_json::from_value(uri.clone()).ok())
            .ok_or_else(|| Error::invalid_params("expected {\"uri\": \"...\"}"))?;
        let document = self.open(&uri)?;
        let document = lock(&document);
        Ok(serde_json::json!({ "version": document.version, "text": document.source.rope().to_string() }))
    }

    async fn apply_settings(&self, value: Option<Value>) {
        let Some(value) = value else { return };
        let value = value.get("pipewarden").cloned().unwrap_or(value);
        let settings: Settings = match serde_json::from_value(value) {
            Ok(settings) => settings,
            Err(error) => {
                self.warn(format!("pipewarden: ignoring settings that do not parse: {error}")).await;
                return;
            }
        };
        for warning in self.state.set_editor_settings(settings) {
            self.warn(format!("pipewarden: {warning}")).await;
        }
    }

    async fn warn(&self, message: String) {
        self.state.client.log_message(MessageType::WARNING, message).await;
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params.capabilities.general.as_ref().and_then(|general| general.position_encodings.as_deref());
        let (encoding, encoding_kind) = convert::negotiate(offered);
        self.state.set_encoding(encoding);
        self.state.set_workspace_root(workspace_root(&params));
        self.state.crossfile.set_root(workspace_root(&params).as_deref());
        let watches =
            params.capabilities.workspace.as_ref().and_then(|workspace| workspace.did_change_watched_files.as_ref());
        self.state.set_watches_files(watches.and_then(|watched| watched.dynamic_registration) == Some(true));
        let reloaded = self.state.reload_project(None, true);
        for problem in reloaded.problems {
            self.state.client.show_message(MessageType::WARNING, format!("pipewarden: {problem}")).await;
        }
        self.apply_settings(params.initialization_options).await;
        self.state.mark_initialized();
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(encoding_kind),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    ..TextDocumentSyncOptions::default()
                })),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
                definition_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                    code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                    ..CodeActionOptions::default()
                })),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: vec![EXPLAIN_COMMAND.to_owned()],
                    ..ExecuteCommandOptions::default()
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "pipewarden".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.state.client.log_message(MessageType::INFO, "pipewarden is ready").await;
        if self.state.watches_files() {
            // Configuration, lock and baseline files are read again when the client sees them
            // change. Pipeline files too: open documents that call them are analysed again.
            let watchers = ["**/pipewarden.toml", "**/pipewarden.lock", "**/*baseline*.json", "**/*.{yml,yaml}"]
                .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.to_owned()), kind: None });
            let registration = Registration {
                id: "pipewarden-configuration".to_owned(),
                method: "workspace/didChangeWatchedFiles".to_owned(),
                register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                    watchers: watchers.to_vec(),
                })
                .ok(),
            };
            let _ = self.state.client.register_capability(vec![registration]).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.mark_shut_down();
        Ok(())
    }

    async fn did_change_watched_files(&self, _: DidChangeWatchedFilesParams) {
        let reloaded = self.state.reload_project(None, true);
        for problem in reloaded.problems {
            self.state.client.show_message(MessageType::WARNING, format!("pipewarden: {problem}")).await;
        }
        let crossfile = &self.state.crossfile;
        for uri in self.state.open_uris() {
            if reloaded.changed || crossfile.is_caller(&uri) || !crossfile.callers_of(&uri).is_empty() {
                self.state.publish(Publish::Analyze(uri));
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        self.apply_settings(Some(params.settings)).await;
        for uri in self.state.open_uris() {
            self.state.publish(Publish::Analyze(uri));
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let document = self.open(&position.text_document.uri)?;
        let mut document = lock(&document);
        let encoding = self.state.encoding();
        let offset = convert::offset(document.source.rope(), position.position, encoding);
        Ok(hover::hover(&mut document, offset, encoding))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        let position = params.text_document_position_params;
        let document = self.open(&position.text_document.uri)?;
        let mut document = lock(&document);
        let offset = convert::offset(document.source.rope(), position.position, self.state.encoding());
        let uri = &position.text_document.uri;
        Ok(navigation::definition(&self.state.crossfile, &mut document, uri, offset, self.state.encoding()))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let position = params.text_document_position;
        let uri = &position.text_document.uri;
        let document = self.open(uri)?;
        let mut document = lock(&document);
        let encoding = self.state.encoding();
        let offset = convert::offset(document.source.rope(), position.position, encoding);
        let Some((declaration, mut names)) = navigation::references(&mut document, uri, offset, encoding) else {
            return Ok(None);
        };
        if params.context.include_declaration {
            names.insert(0, declaration);
        }
        Ok(Some(names))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let document = self.open(&params.text_document.uri)?;
        let mut document = lock(&document);
        let symbols = symbols::document_symbols(&mut document, self.state.encoding());
        Ok(symbols.map(DocumentSymbolResponse::Nested))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        let document = self.open(&uri)?;
        let mut document = lock(&document);
        let encoding = self.state.encoding();
        let range = document.byte_range(params.range, encoding);
        let actions = actions::code_actions(&self.state, &mut document, &uri, range, encoding);
        Ok(Some(actions))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let document = self.open(&params.text_document.uri)?;
        let mut document = lock(&document);
        Ok(Some(lens::code_lenses(&self.state, &mut document, self.state.encoding())))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != EXPLAIN_COMMAND {
            return Err(Error::invalid_params(format!("unknown command `{}`", params.command)));
        }
        let id = params.arguments.first().and_then(Value::as_str).unwrap_or_default();
        explain_rule(id).map(|text| Some(Value::String(text)))
    }
}

impl Backend {
    fn open(&self, uri: &Uri) -> Result<Arc<std::sync::Mutex<super::documents::OpenDocument>>> {
        self.state.document(uri).ok_or_else(|| Error::invalid_params(format!("document not open: {}", uri.as_str())))
    }
}

/// The folder of the first workspace folder, or of the deprecated root URI.
fn workspace_root(params: &InitializeParams) -> Option<std::path::PathBuf> {
    #[allow(deprecated)]
    let root_uri = params.root_uri.as_ref();
    let uri =
        params.workspace_folders.as_ref().and_then(|folders| folders.first()).map(|folder| &folder.uri).or(root_uri)?;
    uri.to_file_path().map(|path| path.into_owned())
}

fn explain_rule(id: &str) -> Result<String> {
    rules::find(id)
        .map(|rule| docs::markdown(rule.meta()))
        .ok_or_else(|| Error::invalid_params(format!("unknown rule `{id}`")))
}
