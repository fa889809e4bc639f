--- Helpers for :PipewardenExplain that do not touch the editor state.
local M = {}

--- The distinct rule ids of pipewarden diagnostics (|vim.Diagnostic|, 0-based, end-inclusive
--- here so the cursor on the last character counts) that contain (row, col).
--- @param diagnostics vim.Diagnostic[]
--- @param row integer 0-based line
--- @param col integer 0-based byte column
--- @return string[]
function M.rules_at(diagnostics, row, col)
  local ids, seen = {}, {}
  for _, d in ipairs(diagnostics) do
    local end_lnum = d.end_lnum or d.lnum
    local end_col = d.end_col or d.col
    local after_start = row > d.lnum or (row == d.lnum and col >= d.col)
    local before_end = row < end_lnum or (row == end_lnum and col <= end_col)
    local code = d.code ~= nil and tostring(d.code) or nil
    if d.source == 'pipewarden' and after_start and before_end and code and not seen[code] then
      seen[code] = true
      table.insert(ids, code)
    end
  end
  return ids
end

--- The rule ids in the output of `pipewarden rules`: each rule's line starts with its id, the
--- description follows on indented lines.
--- @param output string
--- @return string[]
function M.parse_rule_list(output)
  local ids = {}
  for line in vim.gsplit(output, '\r?\n') do
    local id = line:match('^([%l%d][%l%d%-]*)%s') or line:match('^([%l%d][%l%d%-]*)$')
    if id then
      table.insert(ids, id)
    end
  end
  return ids
end

return M
