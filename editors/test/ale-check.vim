" Driven by other-editors.sh: checks the ALE config against the real server.
" Writes 'ok' or a failure reason to $RESULT, then quits.
function! s:Findings() abort
  return map(filter(copy(ale#engine#GetLoclist(bufnr(''))), 'v:val.linter_name ==# "pipewarden"'), 'v:val.code')
endfunction

function! s:WaitFindings(ms) abort
  let l:waited = 0
  while empty(s:Findings()) && l:waited < a:ms
    sleep 100m
    let l:waited += 100
  endwhile
  return s:Findings()
endfunction

function! s:Run() abort
  execute 'edit' fnameescape($WORKFLOW)
  let l:found = s:WaitFindings(15000)
  if l:found != ['expression-injection']
    return 'workflow: expected [expression-injection], got ' . string(l:found)
  endif
  " Same text, not a pipeline file by path: the server must not even be asked.
  execute 'edit' fnameescape($OTHER)
  let l:found = s:WaitFindings(3000)
  if !empty(l:found)
    return 'other YAML: expected no findings, got ' . string(l:found)
  endif
  return 'ok'
endfunction

try
  let s:result = s:Run()
catch
  let s:result = 'error: ' . v:exception . ' at ' . v:throwpoint
endtry
call writefile([s:result], $RESULT)
qa!
