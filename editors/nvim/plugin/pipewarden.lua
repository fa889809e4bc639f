-- Commands are available as soon as the plugin is on 'runtimepath', whether the server is
-- started by vim.lsp.enable('pipewarden') or by require('pipewarden').setup().
if vim.g.loaded_pipewarden then
  return
end
vim.g.loaded_pipewarden = true
require('pipewarden').create_commands()
