--- pipewarden for Neovim 0.11+: the language client configuration, a `setup()` for
--- configurations that do not use `vim.lsp.enable`, and the :Pipewarden* commands.
---
---   vim.lsp.enable('pipewarden')          -- config from lsp/pipewarden.lua
---   require('pipewarden').setup({ ... })  -- or: autocommands + vim.lsp.start
local files = require('pipewarden.files')
local rules = require('pipewarden.rules')
local settings_mod = require('pipewarden.settings')

local M = {}

M.name = 'pipewarden'
M.is_pipeline_file = files.is_pipeline_file

local state = {
  --- The config `setup()` starts clients with; nil when only vim.lsp.enable is used.
  --- @type table?
  setup_config = nil,
  --- Settings changed at run time with `update_settings()`; they win over the config's for
  --- clients started later (after :PipewardenRestart) too.
  --- @type table?
  live_settings = nil,
  --- Each client config's own settings, normalized, for `update_settings(nil)`. Keyed by the
  --- config table (`client.config`), weakly, so stopped clients are forgotten.
  --- @type table<table, table>
  configured = setmetatable({}, { __mode = 'k' }),
}

local function notify(message, level)
  vim.notify('pipewarden: ' .. message, level or vim.log.levels.INFO)
end

--- Sends the settings as initializationOptions, and makes sure the didChangeConfiguration that
--- Neovim sends right after `initialize` carries valid JSON (see pipewarden.settings).
--- @param params lsp.InitializeParams
--- @param config vim.lsp.ClientConfig
local function before_init(params, config)
  local configured, problems = settings_mod.normalize(config.settings)
  for _, problem in ipairs(problems) do
    notify('settings: ' .. problem, vim.log.levels.WARN)
  end
  state.configured[config] = configured
  local payload = state.live_settings or configured
  if params.initializationOptions == nil then
    params.initializationOptions = payload
  end
  -- Neovim notifies `client.settings` after initialize; it is this very table, so replace its
  -- contents in place (reassigning config.settings would not reach the client).
  if config.settings then
    for key in pairs(config.settings) do
      config.settings[key] = nil
    end
    for key, value in pairs(vim.deepcopy(payload)) do
      config.settings[key] = value
    end
  end
end

--- The language client configuration: the table `lsp/pipewarden.lua` returns, and the base
--- of `setup()`.
--- @param overrides table? merged over the defaults (|vim.tbl_deep_extend| "force")
--- @return vim.lsp.Config
function M.config(overrides)
  local config = {
    cmd = { 'pipewarden', 'lsp' },
    filetypes = { 'yaml' },
    -- Neovim ignores root_markers when root_dir is set; root_dir below uses the same markers.
    root_markers = files.root_markers,
    --- Attach ONLY to pipeline files: for other YAML, on_dir is never called, so no client
    --- starts (and none attaches) for that buffer.
    root_dir = function(bufnr, on_dir)
      local path = vim.api.nvim_buf_get_name(bufnr)
      if files.is_pipeline_file(path) then
        on_dir(vim.fs.root(bufnr, files.root_markers) or vim.fs.dirname(path))
      end
    end,
    settings = {
      pipewarden = {
        rules = { disabled = {}, enabled = {}, severity = {} },
      },
    },
    before_init = before_init,
  }
  return vim.tbl_deep_extend('force', config, overrides or {})
end

--- Starts (or reuses) a client for `bufnr` if it is a pipeline file; used by `setup()`.
--- @param bufnr integer
function M.attach(bufnr)
  if not state.setup_config or not vim.api.nvim_buf_is_valid(bufnr) or vim.bo[bufnr].buftype ~= '' then
    return
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  if not files.is_pipeline_file(path) then
    return
  end
  local config = vim.deepcopy(state.setup_config)
  -- vim.lsp.start reuses a running client only if the names match.
  config.name = M.name
  config.root_dir = vim.fs.root(bufnr, files.root_markers) or vim.fs.dirname(path)
  vim.lsp.start(config, { bufnr = bufnr })
end

--- For setups without `vim.lsp.enable`: starts pipewarden for pipeline files as they are opened.
--- @param opts table? overrides of |pipewarden.config()|, e.g. `cmd`, `settings`, `on_attach`
function M.setup(opts)
  state.setup_config = M.config(opts)
  local group = vim.api.nvim_create_augroup('pipewarden', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
    group = group,
    pattern = files.autocmd_patterns,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  -- Buffers opened before setup() ran (lazy-loading plugin managers).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      M.attach(bufnr)
    end
  end
  M.create_commands()
end

--- Changes the settings of the running servers at once, and of those started later in this
--- session. Same shape as the `settings` of the config, wrapped in `pipewarden` or bare.
--- `nil` goes back to the settings of the configuration.
--- @param settings table?
function M.update_settings(settings)
  local payload, problems
  if settings ~= nil then
    payload, problems = settings_mod.normalize(settings)
    for _, problem in ipairs(problems) do
      notify('settings: ' .. problem, vim.log.levels.WARN)
    end
  end
  state.live_settings = payload
  for _, client in ipairs(vim.lsp.get_clients({ name = M.name })) do
    local current = payload or state.configured[client.config] or settings_mod.normalize(client.config.settings)
    client.settings = vim.deepcopy(current)
    client:notify('workspace/didChangeConfiguration', { settings = current })
  end
end

local function client_for(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = M.name })[1] or vim.lsp.get_clients({ name = M.name })[1]
end

--- The rule ids the server knows, from `<server> rules`.
--- @param client vim.lsp.Client?
--- @return string[]
local function known_rules(client)
  local cmd = (client and client.config.cmd) or (state.setup_config and state.setup_config.cmd)
    or vim.lsp.config and vim.lsp.config[M.name] and vim.lsp.config[M.name].cmd
  if type(cmd) ~= 'table' or cmd[1] == nil then
    return {}
  end
  local ok, result = pcall(function()
    return vim.system({ cmd[1], 'rules' }, { text = true }):wait(5000)
  end)
  if not ok or result.code ~= 0 then
    return {}
  end
  return rules.parse_rule_list(result.stdout or '')
end

--- Shows a rule's documentation (from the `pipewarden/explain` request) in a floating window.
--- Without `rule`: the rule of the pipewarden diagnostic under the cursor, else a pick list.
--- @param rule string?
function M.explain(rule)
  local bufnr = vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    notify('the language server is not running (open a pipeline file, or see :checkhealth pipewarden)', vim.log.levels.ERROR)
    return
  end

  local function show(id)
    client:request('pipewarden/explain', { rule = id }, function(err, markdown)
      if err or type(markdown) ~= 'string' then
        notify(('cannot explain `%s`: %s'):format(id, err and err.message or 'no text'), vim.log.levels.ERROR)
        return
      end
      vim.lsp.util.open_floating_preview(vim.split(markdown, '\n'), 'markdown', {
        border = 'rounded',
        focus_id = 'pipewarden-explain',
        max_width = math.min(100, vim.o.columns - 4),
        max_height = math.max(10, vim.o.lines - 6),
      })
    end, bufnr)
  end

  if rule and rule ~= '' then
    return show(rule)
  end
  local cursor = vim.api.nvim_win_get_cursor(0)
  local here = rules.rules_at(vim.diagnostic.get(bufnr), cursor[1] - 1, cursor[2])
  local choices = #here > 0 and here or known_rules(client)
  if #choices == 1 then
    return show(choices[1])
  end
  if #choices == 0 then
    notify('no rule to explain: give a rule id, e.g. :PipewardenExplain expression-injection', vim.log.levels.WARN)
    return
  end
  vim.ui.select(choices, { prompt = 'Explain which pipewarden rule?' }, function(choice)
    if choice then
      show(choice)
    end
  end)
end

--- Stops the pipewarden clients and starts them again for every open pipeline file (picking up
--- a changed `cmd` too).
function M.restart()
  local clients = vim.lsp.get_clients({ name = M.name })
  for _, client in ipairs(clients) do
    client:stop()
  end
  local deadline = vim.uv.now() + 3000
  local function start_again()
    local running = vim.tbl_filter(function(client)
      return not client:is_stopped()
    end, clients)
    if #running > 0 and vim.uv.now() < deadline then
      return vim.defer_fn(start_again, 50)
    end
    for _, client in ipairs(running) do
      client:stop(true)
    end
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(bufnr) and files.is_pipeline_file(vim.api.nvim_buf_get_name(bufnr)) then
        if vim.lsp.is_enabled and vim.lsp.is_enabled(M.name) then
          -- Neovim's own vim.lsp.enable autocommand, so its config resolution applies.
          vim.api.nvim_exec_autocmds('FileType', { group = 'nvim.lsp.enable', buffer = bufnr, modeline = false })
        else
          M.attach(bufnr)
        end
      end
    end
    notify('restarted')
  end
  start_again()
end

--- Defines :PipewardenExplain, :PipewardenRestart and :PipewardenLog. Safe to call again.
function M.create_commands()
  vim.api.nvim_create_user_command('PipewardenExplain', function(args)
    M.explain(args.args)
  end, {
    nargs = '?',
    desc = 'pipewarden: explain the rule under the cursor (or the given rule)',
    complete = function(lead)
      return vim.tbl_filter(function(id)
        return vim.startswith(id, lead)
      end, known_rules(client_for(0)))
    end,
  })
  vim.api.nvim_create_user_command('PipewardenRestart', M.restart, { desc = 'pipewarden: restart the language server' })
  vim.api.nvim_create_user_command('PipewardenLog', function()
    vim.cmd.tabnew(vim.fn.fnameescape(vim.lsp.get_log_path()))
  end, { desc = "pipewarden: open Neovim's LSP log" })
end

return M
