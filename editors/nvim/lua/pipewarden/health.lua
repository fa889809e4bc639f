--- :checkhealth pipewarden
local M = {}

function M.check()
  vim.health.start('pipewarden')
  if vim.fn.has('nvim-0.11') == 1 then
    vim.health.ok('Neovim ' .. tostring(vim.version()))
  else
    vim.health.error('pipewarden needs Neovim 0.11 or later, this is ' .. tostring(vim.version()))
  end

  local config = vim.lsp.config and vim.lsp.config.pipewarden or require('pipewarden').config()
  local cmd = config and config.cmd
  local exe = type(cmd) == 'table' and cmd[1] or nil
  if exe and vim.fn.executable(exe) == 1 then
    vim.health.ok(('server: %s'):format(vim.fn.exepath(exe)))
  else
    vim.health.error(
      ('server `%s` not found'):format(tostring(exe)),
      { 'Install it with `cargo install --path .` from the pipewarden repository', 'or set `cmd` in the config' }
    )
  end

  local clients = vim.lsp.get_clients({ name = 'pipewarden' })
  if #clients == 0 then
    vim.health.info('no pipewarden client running (it starts when a pipeline file is opened)')
  end
  for _, client in ipairs(clients) do
    vim.health.ok(('client %d: root %s, encoding %s'):format(client.id, tostring(client.root_dir), client.offset_encoding))
  end
end

return M
