" pipewarden through ALE: add to your vimrc (after ALE is loaded).
function! PipewardenRoot(buffer) abort
  let l:path = fnamemodify(bufname(a:buffer), ':p')
  " An empty root keeps ALE from starting the server: only pipeline files get it.
  return l:path =~# '\v/(\.github/workflows/[^/]+\.ya?ml|action\.ya?ml|[^/]*\.gitlab-ci\.yml)$'
        \ ? fnamemodify(l:path, ':h') : ''
endfunction
call ale#linter#Define('yaml', {
\   'name': 'pipewarden',
\   'lsp': 'stdio',
\   'executable': 'pipewarden',
\   'command': '%e lsp',
\   'project_root': function('PipewardenRoot'),
\   'initialization_options': {'pipewarden': {'rules': {'disabled': []}, 'minSeverity': 'info'}},
\})
let g:ale_linters = get(g:, 'ale_linters', {})
let g:ale_linters.yaml = get(g:ale_linters, 'yaml', []) + ['pipewarden']
