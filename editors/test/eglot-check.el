;;; Driven by other-editors.sh: checks the Eglot config against the real server.
;;; Exits 0 if it works, 1 otherwise (with the reason on stderr).
(defun check--wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.1))
    (funcall pred)))

(defun check--codes ()
  (mapcar (lambda (d) (flymake-diagnostic-text d)) (flymake-diagnostics)))

(condition-case err
    (progn
      (load-file (getenv "EGLOT_CONFIG"))
      (find-file (getenv "WORKFLOW"))
      ;; eglot-ensure starts the server from post-command-hook; batch mode has no command loop.
      (run-hooks 'post-command-hook)
      (unless (check--wait (lambda () (seq-some (lambda (text) (string-match-p "expression-injection" text))
                                                (check--codes)))
                           15)
        (error "workflow: no expression-injection finding, got %S" (check--codes)))
      ;; A YAML file that is not a pipeline file (in another project) gets no Eglot.
      (find-file (getenv "OTHER"))
      (run-hooks 'post-command-hook)
      (when (eglot-managed-p)
        (error "other YAML is managed by Eglot"))
      (princ "ok\n")
      (kill-emacs 0))
  (error (message "FAIL: %s" (error-message-string err))
         (kill-emacs 1)))
