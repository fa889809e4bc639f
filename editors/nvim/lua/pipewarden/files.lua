--- Which files pipewarden analyses. The same set as the VS Code extension's document selector:
--- GitHub Actions workflows, action metadata and GitLab CI files. Other YAML is never attached.
local M = {}

--- Autocommand patterns for BufReadPost/BufNewFile. A pattern with a `/` is matched against
--- the full path, one without against the file name. They can over-match (`*` also crosses
--- `/`), so callbacks confirm with `is_pipeline_file`.
M.autocmd_patterns = {
  '*/.github/workflows/*.yml',
  '*/.github/workflows/*.yaml',
  'action.yml',
  'action.yaml',
  '.gitlab-ci.yml',
  '*.gitlab-ci.yml',
}

--- Markers of a project root, nearest first wins.
M.root_markers = { '.git', '.github', '.gitlab-ci.yml' }

--- Whether `path` is a pipeline file: `.github/workflows/*.yml|yaml` (directly in that folder),
--- `action.yml|yaml`, `.gitlab-ci.yml` or `*.gitlab-ci.yml`.
--- @param path string
--- @return boolean
function M.is_pipeline_file(path)
  if path == nil or path == '' then
    return false
  end
  path = path:gsub('\\', '/')
  local name = path:match('([^/]+)$') or path
  if path:match('/%.github/workflows/[^/]+%.ya?ml$') or path:match('^%.github/workflows/[^/]+%.ya?ml$') then
    return true
  end
  if name == 'action.yml' or name == 'action.yaml' then
    return true
  end
  -- `*.gitlab-ci.yml` includes `.gitlab-ci.yml` itself.
  return name:sub(-#'.gitlab-ci.yml') == '.gitlab-ci.yml'
end

return M
