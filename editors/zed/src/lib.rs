//! Zed runs `pipewarden lsp` for YAML files; the server only reports on pipeline files.
//! Settings come from Zed's `lsp.pipewarden.initialization_options` / `lsp.pipewarden.settings`.

use zed_extension_api::{self as zed, settings::LspSettings, LanguageServerId, Result};

struct Pipewarden;

impl zed::Extension for Pipewarden {
    fn new() -> Self {
        Pipewarden
    }

    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        // `lsp.pipewarden.binary.path` wins over PATH.
        let binary = LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let command = binary
            .as_ref()
            .and_then(|binary| binary.path.clone())
            .or_else(|| worktree.which("pipewarden"))
            .ok_or_else(|| {
                "pipewarden not found: install it with `cargo install --path .` from the \
                 pipewarden repository, or set lsp.pipewarden.binary.path"
                    .to_string()
            })?;
        Ok(zed::Command {
            command,
            args: vec!["lsp".into()],
            env: Vec::new(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }

    fn language_server_workspace_configuration(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<zed::serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.settings))
    }
}

zed::register_extension!(Pipewarden);
