--- Turns user settings into the JSON the server reads from `initializationOptions` and
--- `workspace/didChangeConfiguration`:
--- `{"pipewarden": {"rules": {"disabled": [], "enabled": [], "severity": {}}, "minSeverity": "…"}}`.
---
--- The point is JSON types: Lua has one table type, and Neovim encodes an empty table as a JSON
--- array. The server cannot read `"severity": []` as a map and would then ignore ALL settings, so
--- maps are built with `vim.empty_dict()` here.
local M = {}

M.severities = { 'info', 'low', 'medium', 'high', 'critical' }

local function is_severity(value)
  return type(value) == 'string' and vim.tbl_contains(M.severities, value)
end

--- @param value any
--- @param key string
--- @param problems string[]
--- @return string[]
local function rule_ids(value, key, problems)
  if value == nil then
    return {}
  end
  if type(value) ~= 'table' or not vim.islist(value) then
    table.insert(problems, ('%s should be a list of rule ids; ignoring it'):format(key))
    return {}
  end
  local ids = {}
  for _, id in ipairs(value) do
    if type(id) == 'string' and vim.trim(id) ~= '' then
      table.insert(ids, vim.trim(id))
    else
      table.insert(problems, ('%s: ignoring %s, which is not a rule id'):format(key, vim.inspect(id)))
    end
  end
  return ids
end

--- Accepts the settings wrapped (`{ pipewarden = {...} }`) or bare (`{ rules = ..., minSeverity = ... }`).
--- @param settings table|nil
--- @return table payload `{ pipewarden = {...} }`, ready for vim.json
--- @return string[] problems values dropped for having the wrong type
function M.normalize(settings)
  local problems = {}
  settings = settings or {}
  local s = settings.pipewarden or settings
  local rules = type(s.rules) == 'table' and s.rules or {}

  local severity = vim.empty_dict()
  if type(rules.severity) == 'table' then
    for rule, level in pairs(rules.severity) do
      if type(rule) == 'string' and is_severity(level) then
        severity[rule] = level
      else
        table.insert(
          problems,
          ('rules.severity: ignoring %s for %s; use one of %s'):format(
            vim.inspect(level),
            vim.inspect(rule),
            table.concat(M.severities, ', ')
          )
        )
      end
    end
  elseif rules.severity ~= nil then
    table.insert(problems, 'rules.severity should map rule ids to severities; ignoring it')
  end

  local out = {
    rules = {
      disabled = rule_ids(rules.disabled, 'rules.disabled', problems),
      enabled = rule_ids(rules.enabled, 'rules.enabled', problems),
      severity = severity,
    },
  }
  if is_severity(s.minSeverity) then
    out.minSeverity = s.minSeverity
  elseif s.minSeverity ~= nil then
    table.insert(
      problems,
      ('minSeverity: ignoring %s; use one of %s'):format(vim.inspect(s.minSeverity), table.concat(M.severities, ', '))
    )
  end
  return { pipewarden = out }, problems
end

return M
