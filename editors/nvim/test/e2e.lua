-- End-to-end test of the Neovim plugin against the real pipewarden server, in a real Neovim.
--
--   PIPEWARDEN_SERVER=target/debug/pipewarden nvim --headless -u NONE -i NONE -n -l editors/nvim/test/e2e.lua
--
-- (test/run.sh does this.) Every step runs under xpcall; any error, failed check or timed-out
-- wait prints what happened and exits 1. Only reaching the end exits 0.

local WAIT_MS = 10000 -- one wait; a step that needs longer is broken
local WATCHDOG_MS = 90000 -- the whole test

local script = debug.getinfo(1, 'S').source:sub(2)
local test_dir = vim.fn.fnamemodify(script, ':p:h')
local plugin_root = vim.fn.fnamemodify(test_dir, ':h')
local fixture = test_dir .. '/fixtures/issue-title-injection.yml'
local RULE = 'expression-injection'
local EXPRESSION = 'github.event.issue.title'

local function out(line)
  io.stdout:write(line, '\n')
  io.stdout:flush()
end

local function fail_now(message)
  io.stderr:write(message, '\n')
  io.stderr:flush()
  os.exit(1)
end

-- Waits only make progress inside vim.wait, and every wait here has a timeout; this is the
-- backstop should one of them not.
vim.defer_fn(function()
  fail_now(('FAIL: watchdog: the test ran longer than %d ms'):format(WATCHDOG_MS))
end, WATCHDOG_MS)

---------------------------------------------------------------------------------------------
-- Helpers

local function check(condition, message, ...)
  if not condition then
    error(select('#', ...) > 0 and message:format(...) or message, 2)
  end
  return condition
end

local function check_eq(actual, expected, what)
  if not vim.deep_equal(actual, expected) then
    error(('%s: expected %s, got %s'):format(what, vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

--- Waits until `predicate()` is truthy; errors (with `what`) after `timeout` ms.
local function wait_for(what, predicate, timeout)
  local ok, reason = vim.wait(timeout or WAIT_MS, predicate, 20)
  if not ok then
    error(('timed out after %d ms waiting for %s%s'):format(
      timeout or WAIT_MS,
      what,
      reason == -2 and ' (interrupted)' or ''
    ), 2)
  end
end

local function read(path)
  local file = assert(io.open(path, 'rb'))
  local text = file:read('*a')
  file:close()
  return text
end

local function write(path, text)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
  local file = assert(io.open(path, 'wb'))
  file:write(text)
  file:close()
end

--- A new project folder with the vulnerable workflow, a non-pipeline YAML file with the very
--- same text (the server would analyse it if it were sent), and GitLab/action files.
local function make_project()
  local root = vim.fn.resolve(vim.fn.tempname())
  local text = read(fixture)
  write(root .. '/.github/workflows/triage.yml', text)
  write(root .. '/config/triage.yml', text)
  write(root .. '/.gitlab-ci.yml', 'test:\n  script: echo hello\n')
  write(root .. '/actions/greet/action.yml', 'name: greet\ndescription: says hello\nruns:\n  using: node20\n  main: index.js\n')
  return root
end

local function pipewarden_clients(bufnr)
  return vim.lsp.get_clients({ name = 'pipewarden', bufnr = bufnr })
end

local function pipewarden_diagnostics(bufnr)
  return vim.tbl_filter(function(d)
    return d.source == 'pipewarden'
  end, vim.diagnostic.get(bufnr))
end

-- Every publishDiagnostics, by URI, so a test can wait for an (empty) publish.
local publishes = {}
do
  local method = 'textDocument/publishDiagnostics'
  local original = vim.lsp.handlers[method]
  vim.lsp.handlers[method] = function(err, result, ctx, config)
    if result then
      publishes[result.uri] = (publishes[result.uri] or 0) + 1
    end
    return original(err, result, ctx, config)
  end
end

-- Notifications, so errors the plugin reports are seen (and fail the test).
local notifications = {}
vim.notify = function(message, level)
  table.insert(notifications, { message = message, level = level or vim.log.levels.INFO })
end

--- The floating windows open now, with their text.
local function floats()
  local found = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= '' then
      local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
      table.insert(found, { win = win, text = table.concat(lines, '\n') })
    end
  end
  return found
end

local function close_floats()
  for _, float in ipairs(floats()) do
    vim.api.nvim_win_close(float.win, true)
  end
end

--- Opens `path` and waits for pipewarden to attach and publish `count` findings.
local function open_workflow(path, count)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  check_eq(vim.bo[bufnr].filetype, 'yaml', 'filetype of ' .. path)
  wait_for('pipewarden to attach to ' .. path, function()
    return #pipewarden_clients(bufnr) == 1
  end)
  wait_for(('%d pipewarden finding(s) in %s'):format(count, path), function()
    return #pipewarden_diagnostics(bufnr) == count
  end)
  return bufnr, pipewarden_clients(bufnr)[1]
end

--- Opens a YAML file that is not a pipeline file and checks nothing attaches to it.
local function check_not_attached(path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  check_eq(vim.bo[bufnr].filetype, 'yaml', 'filetype of ' .. path)
  -- A client would be listed at once (vim.lsp.start registers it before it initializes);
  -- give scheduled starts a moment anyway.
  vim.wait(300)
  check_eq(#pipewarden_clients(bufnr), 0, 'pipewarden clients attached to ' .. path)
  check_eq(publishes[vim.uri_from_bufnr(bufnr)], nil, 'diagnostics published for ' .. path)
end

local function stop_all_clients()
  local clients = vim.lsp.get_clients({ name = 'pipewarden' })
  for _, client in ipairs(clients) do
    client:stop()
  end
  wait_for('pipewarden clients to stop', function()
    return #vim.lsp.get_clients({ name = 'pipewarden' }) == 0
  end)
end

---------------------------------------------------------------------------------------------
-- Steps (they run in order and build on each other)

local server = os.getenv('PIPEWARDEN_SERVER')
local steps = {}
local function step(name, fn)
  table.insert(steps, { name = name, fn = fn })
end

local project = make_project()
local ctx = {} -- carried between steps

step('environment: Neovim 0.11+, the server binary, the plugin on runtimepath', function()
  check(vim.fn.has('nvim-0.11') == 1, 'Neovim 0.11+ needed, this is %s', tostring(vim.version()))
  check(server and server ~= '', 'set PIPEWARDEN_SERVER to the pipewarden binary')
  check(vim.fn.executable(server) == 1, 'PIPEWARDEN_SERVER=%s is not executable', server)
  vim.opt.runtimepath:prepend(plugin_root)
  vim.cmd('filetype on') -- -u NONE leaves filetype detection off
  vim.cmd.runtime('plugin/pipewarden.lua') -- as plugin loading would
  check(vim.fn.exists(':PipewardenExplain') == 2, ':PipewardenExplain is defined')
  check(vim.fn.exists(':PipewardenRestart') == 2, ':PipewardenRestart is defined')
end)

step('unit: pipeline file patterns', function()
  local is = require('pipewarden').is_pipeline_file
  for _, path in ipairs({
    '/r/.github/workflows/ci.yml',
    '/r/.github/workflows/ci.yaml',
    '.github/workflows/ci.yml',
    'C:\\r\\.github\\workflows\\ci.yml',
    '/r/action.yml',
    '/r/sub/dir/action.yaml',
    '/r/.gitlab-ci.yml',
    '/r/ci/build.gitlab-ci.yml',
  }) do
    check(is(path), '%s is a pipeline file', path)
  end
  for _, path in ipairs({
    '/r/.github/workflows/sub/ci.yml',
    '/r/.github/workflows/ci.json',
    '/r/workflows/ci.yml',
    '/r/config.yml',
    '/r/my-action.yml',
    '/r/.gitlab-ci.yml.bak',
    '',
  }) do
    check(not is(path), '%s is not a pipeline file', path)
  end
end)

step('unit: settings are normalized to the JSON the server reads', function()
  local normalize = require('pipewarden.settings').normalize
  local payload, problems = normalize({ pipewarden = { rules = { severity = {} } } })
  check_eq(vim.json.decode(vim.json.encode(payload)), { pipewarden = { rules = { disabled = {}, enabled = {}, severity = {} } } }, 'decoded')
  -- The point: an empty map must be a JSON object, not Lua's default empty array.
  check(vim.json.encode(payload):find('"severity":{}', 1, true), 'severity encodes as {}: %s', vim.json.encode(payload))
  check_eq(problems, {}, 'problems')

  payload, problems = normalize({
    rules = { disabled = { RULE, 3 }, severity = { [RULE] = 'low', other = 'loud' } },
    minSeverity = 'medium',
  })
  check_eq(payload, {
    pipewarden = { rules = { disabled = { RULE }, enabled = {}, severity = { [RULE] = 'low' } }, minSeverity = 'medium' },
  }, 'bare settings, wrapped')
  check_eq(#problems, 2, 'problems for 3 and "loud": ' .. vim.inspect(problems))
end)

step('unit: rule list from `pipewarden rules`, rules under a position', function()
  local rules = require('pipewarden.rules')
  local result = vim.system({ server, 'rules' }, { text = true }):wait(5000)
  check_eq(result.code, 0, 'pipewarden rules exit code')
  local ids = rules.parse_rule_list(result.stdout)
  for _, id in ipairs({ RULE, 'untrusted-checkout', 'excessive-permissions' }) do
    check(vim.tbl_contains(ids, id), '%s in %s', id, vim.inspect(ids))
  end
  local diagnostics = {
    { source = 'pipewarden', code = RULE, lnum = 7, col = 33, end_lnum = 7, end_col = 57 },
    { source = 'yamlls', code = 'x', lnum = 7, col = 0, end_lnum = 7, end_col = 80 },
  }
  check_eq(rules.rules_at(diagnostics, 7, 40), { RULE }, 'inside')
  check_eq(rules.rules_at(diagnostics, 7, 57), { RULE }, 'at the end')
  check_eq(rules.rules_at(diagnostics, 7, 10), {}, 'outside')
end)

step('vim.lsp.enable: lsp/pipewarden.lua is the config', function()
  vim.lsp.config('pipewarden', { cmd = { server, 'lsp' } })
  local config = vim.lsp.config.pipewarden
  check(config ~= nil, 'vim.lsp.config.pipewarden resolves from lsp/pipewarden.lua')
  check_eq(config.cmd, { server, 'lsp' }, 'cmd')
  check_eq(config.filetypes, { 'yaml' }, 'filetypes')
  check(type(config.root_markers) == 'table' and #config.root_markers > 0, 'root_markers')
  check(type(config.root_dir) == 'function', 'root_dir is the attach filter')
  vim.lsp.enable('pipewarden')
end)

step('vim.lsp.enable: other YAML gets no client', function()
  check_not_attached(project .. '/config/triage.yml')
  check_eq(#vim.lsp.get_clients({ name = 'pipewarden' }), 0, 'pipewarden clients running')
end)

step('vim.lsp.enable: the workflow gets the expression-injection finding', function()
  local bufnr, client = open_workflow(project .. '/.github/workflows/triage.yml', 1)
  ctx.bufnr, ctx.client = bufnr, client
  check_eq(client.offset_encoding, 'utf-8', 'negotiated position encoding')
  check_eq(client.root_dir, project, 'root_dir')
  local line = vim.api.nvim_buf_get_lines(bufnr, 7, 8, true)[1]
  local col = assert(line:find(EXPRESSION, 1, true)) - 1
  local d = pipewarden_diagnostics(bufnr)[1]
  check_eq(d.code, RULE, 'code')
  check_eq(d.source, 'pipewarden', 'source')
  check_eq({ d.lnum, d.col, d.end_lnum, d.end_col }, { 7, col, 7, col + #EXPRESSION }, 'range')
  check_eq(d.severity, vim.diagnostic.severity.ERROR, 'severity')
  check(d.message:find('^Execution › Modify CI/CD configurations: '), 'message: %s', d.message)
  ctx.col = col
end)

step('hover over the finding', function()
  vim.api.nvim_win_set_cursor(0, { 8, ctx.col + 3 })
  local params = vim.lsp.util.make_position_params(0, ctx.client.offset_encoding)
  local results, err = vim.lsp.buf_request_sync(ctx.bufnr, 'textDocument/hover', params, WAIT_MS)
  check(results, 'hover request failed: %s', tostring(err))
  local response = results[ctx.client.id]
  check(response and not response.err, 'hover error: %s', vim.inspect(response))
  local contents = response.result.contents
  check_eq(contents.kind, 'markdown', 'hover kind')
  local expected = '**pipewarden** `expression-injection`'
  check(vim.startswith(contents.value, expected), 'hover text starts with %q, got %q', expected, contents.value)
  local technique = '**Execution › Modify CI/CD configurations** (EX06)'
  check(contents.value:find(technique, 1, true), 'hover names the technique %q: %q', technique, contents.value)
end)

-- The quick fixes the server offers for the buffer's one pipewarden diagnostic.
local function quick_fixes(bufnr, client)
  local d = pipewarden_diagnostics(bufnr)[1]
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.range = d.user_data.lsp.range
  params.context = { diagnostics = vim.lsp.diagnostic.from({ d }), only = { 'quickfix' }, triggerKind = 1 }
  local results, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', params, WAIT_MS)
  check(results, 'codeAction request failed: %s', tostring(err))
  local actions = results[client.id] and results[client.id].result
  check(type(actions) == 'table', 'code actions: %s', vim.inspect(results))
  return actions
end

step("the rule's own fix, applied by Neovim, removes the finding", function()
  local bufnr, client = ctx.bufnr, ctx.client
  local fix = quick_fixes(bufnr, client)[1]
  check(vim.startswith(fix.title, 'Pass `github.event.issue.title` through'), 'the rule fix comes first: %s', fix.title)
  check(fix.edit, 'the rule fix carries a workspace edit: %s', vim.inspect(fix))
  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), '\n')
  check(text:find('ISSUE_TITLE: ${{ github.event.issue.title }}', 1, true), 'the value moves to env: %s', text)
  wait_for('the finding to disappear', function()
    return #pipewarden_diagnostics(bufnr) == 0
  end)
  vim.cmd('silent undo')
  wait_for('the finding to come back after undo', function()
    return #pipewarden_diagnostics(bufnr) == 1
  end)
end)

step('the "Ignore this finding here" code action, applied by Neovim, removes the finding', function()
  local bufnr, client = ctx.bufnr, ctx.client
  local actions = quick_fixes(bufnr, client)
  local titles = vim.tbl_map(function(a)
    return a.title
  end, actions)
  check_eq(titles, {
    'Pass `github.event.issue.title` through the environment variable `ISSUE_TITLE` (review: may change behaviour)',
    'Ignore this finding here (`expression-injection`)',
    'Ignore `expression-injection` in this file',
  }, 'code action titles')
  local ignore = actions[2]
  check(ignore.edit, 'the ignore action carries a workspace edit: %s', vim.inspect(ignore))

  -- Neovim's own client machinery applies the server's edit.
  vim.lsp.util.apply_workspace_edit(ignore.edit, client.offset_encoding)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)
  check(lines[8]:match('^%s*# pipewarden: ignore%[expression%-injection%]$'), 'ignore comment above: %s', vim.inspect(lines))
  check(lines[9]:find(EXPRESSION, 1, true), 'the run line follows: %s', vim.inspect(lines))
  wait_for('the finding to disappear', function()
    return #pipewarden_diagnostics(bufnr) == 0
  end)
end)

step(':PipewardenExplain shows the rule under the cursor, or the one named', function()
  vim.cmd('silent undo')
  wait_for('the finding to come back after undo', function()
    return #pipewarden_diagnostics(ctx.bufnr) == 1
  end)
  vim.api.nvim_win_set_cursor(0, { 8, ctx.col })
  vim.cmd('PipewardenExplain')
  wait_for('a float explaining expression-injection', function()
    local f = floats()
    return #f == 1 and f[1].text:find('`expression-injection`', 1, true) ~= nil
  end)
  close_floats()

  vim.cmd('PipewardenExplain untrusted-checkout')
  wait_for('a float explaining untrusted-checkout', function()
    local f = floats()
    return #f == 1 and f[1].text:find('`untrusted-checkout`', 1, true) ~= nil
  end)
  close_floats()
end)

step('settings apply live (didChangeConfiguration)', function()
  local bufnr = ctx.bufnr
  local pipewarden = require('pipewarden')
  local function severity()
    local d = pipewarden_diagnostics(bufnr)
    return #d == 1 and d[1].severity or nil
  end

  pipewarden.update_settings({ pipewarden = { rules = { disabled = { RULE } } } })
  wait_for('the disabled rule to disappear', function()
    return #pipewarden_diagnostics(bufnr) == 0
  end)

  pipewarden.update_settings({ rules = { severity = { [RULE] = 'low' } } })
  wait_for('the finding to come back as low (INFO)', function()
    return severity() == vim.diagnostic.severity.INFO
  end)

  -- The issue's payload, sent the plain Neovim way.
  ctx.client:notify('workspace/didChangeConfiguration', { settings = { pipewarden = { rules = { disabled = { RULE } } } } })
  wait_for('the finding to disappear again', function()
    return #pipewarden_diagnostics(bufnr) == 0
  end)

  pipewarden.update_settings(nil) -- back to the configured settings
  wait_for('the finding to come back as an error', function()
    return severity() == vim.diagnostic.severity.ERROR
  end)
end)

step(':PipewardenRestart starts a new server that publishes again', function()
  local old = ctx.client.id
  vim.cmd('PipewardenRestart')
  wait_for('a new client attached to the workflow', function()
    local clients = pipewarden_clients(ctx.bufnr)
    return #clients == 1 and clients[1].id ~= old and clients[1].initialized
  end)
  ctx.client = pipewarden_clients(ctx.bufnr)[1]
  wait_for('findings from the new client', function()
    local ns = vim.lsp.diagnostic.get_namespace(ctx.client.id)
    return #vim.diagnostic.get(ctx.bufnr, { namespace = ns }) == 1
  end)
  check(vim.lsp.get_client_by_id(old) == nil or vim.lsp.get_client_by_id(old):is_stopped(), 'the old client stopped')
end)

step(':checkhealth pipewarden finds the server and the client', function()
  vim.cmd('silent checkhealth pipewarden')
  local bufnr = vim.api.nvim_get_current_buf()
  check_eq(vim.bo[bufnr].filetype, 'checkhealth', 'filetype of the :checkhealth buffer')
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  check(text:find('OK server: ' .. server, 1, true), 'server line in:\n%s', text)
  check(text:find('OK client %d+: root ' .. vim.pesc(project)), 'client line in:\n%s', text)
  check(not text:find('ERROR', 1, true) and not text:find('WARNING', 1, true), 'no problems in:\n%s', text)
  vim.cmd('bwipeout')
  vim.cmd.buffer(ctx.bufnr)
end)

step('setup(): switch from vim.lsp.enable to the autocommand setup', function()
  vim.lsp.enable('pipewarden', false)
  stop_all_clients()
  vim.cmd('silent %bwipeout!')
  ctx.project = make_project()
  -- `severity = {}` must reach the server as a JSON object, or it ignores all settings
  -- (and the finding below would show).
  require('pipewarden').setup({
    cmd = { server, 'lsp' },
    settings = { pipewarden = { rules = { enabled = { 'untrusted-checkout' }, severity = {} } } },
  })
end)

step('setup(): settings from the config reach the server (initializationOptions)', function()
  local path = ctx.project .. '/.github/workflows/triage.yml'
  vim.cmd.edit(vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(bufnr)
  wait_for('pipewarden to attach', function()
    return #pipewarden_clients(bufnr) == 1
  end)
  wait_for('a publish for the workflow', function()
    return (publishes[uri] or 0) > 0
  end)
  check_eq(#pipewarden_diagnostics(bufnr), 0, 'findings with only untrusted-checkout enabled')
  local client = pipewarden_clients(bufnr)[1]
  check(vim.json.encode(client.settings):find('"severity":{}', 1, true), 'client.settings as sent: %s', vim.json.encode(client.settings))
  ctx.bufnr, ctx.client = bufnr, client

  require('pipewarden').update_settings({ rules = { severity = { [RULE] = 'low' } } })
  wait_for('the finding, as low (INFO)', function()
    local d = pipewarden_diagnostics(bufnr)
    return #d == 1 and d[1].severity == vim.diagnostic.severity.INFO
  end)
end)

step('setup(): other YAML gets no client; GitLab CI and action.yml do', function()
  check_not_attached(ctx.project .. '/config/triage.yml')
  for _, path in ipairs({ ctx.project .. '/.gitlab-ci.yml', ctx.project .. '/actions/greet/action.yml' }) do
    vim.cmd.edit(vim.fn.fnameescape(path))
    local bufnr = vim.api.nvim_get_current_buf()
    wait_for('pipewarden to attach to ' .. path, function()
      return #pipewarden_clients(bufnr) == 1
    end)
    wait_for('a publish for ' .. path, function()
      return (publishes[vim.uri_from_bufnr(bufnr)] or 0) > 0
    end)
  end
  check_eq(#vim.lsp.get_clients({ name = 'pipewarden' }), 1, 'one client shared by the project')
end)

step('setup(): :PipewardenRestart keeps the live settings', function()
  vim.cmd.buffer(ctx.bufnr)
  local old = ctx.client.id
  vim.cmd('PipewardenRestart')
  wait_for('a new client with the finding as low (INFO)', function()
    local clients = pipewarden_clients(ctx.bufnr)
    if #clients ~= 1 or clients[1].id == old then
      return false
    end
    local d = vim.diagnostic.get(ctx.bufnr, { namespace = vim.lsp.diagnostic.get_namespace(clients[1].id) })
    return #d == 1 and d[1].severity == vim.diagnostic.severity.INFO
  end)
end)

step('no errors were reported to the user', function()
  local errors = vim.tbl_filter(function(n)
    return n.level >= vim.log.levels.WARN
  end, notifications)
  check_eq(errors, {}, 'warnings and errors notified')
end)

---------------------------------------------------------------------------------------------
-- Runner

local passed = 0
for index, s in ipairs(steps) do
  local ok, err = xpcall(s.fn, debug.traceback)
  if not ok then
    out(('not ok %d - %s'):format(index, s.name))
    io.stderr:write(tostring(err), '\n')
    if #notifications > 0 then
      io.stderr:write('notifications: ', vim.inspect(notifications), '\n')
    end
    io.stderr:write(('LSP log: %s\n'):format(vim.lsp.get_log_path()))
    -- The steps build on each other: the rest cannot run.
    out(('%d passed, 1 failed, %d skipped'):format(passed, #steps - passed - 1))
    io.stderr:flush()
    os.exit(1)
  end
  passed = passed + 1
  out(('ok %d - %s'):format(index, s.name))
end

-- Leave cleanly: stop the servers before exiting.
local ok, err = xpcall(stop_all_clients, debug.traceback)
if not ok then
  fail_now('FAIL: stopping the servers: ' .. tostring(err))
end
out(('%d passed, %d failed'):format(passed, 0))
os.exit(0)
