;; pipewarden through Eglot (built into Emacs 29+; GNU ELPA for 28) with yaml-mode
;; (use yaml-ts-mode in both places on Emacs 29+ with tree-sitter).
(require 'eglot)
(add-to-list 'eglot-server-programs '(yaml-mode . ("pipewarden" "lsp")))
(setq-default eglot-workspace-configuration
              '(:pipewarden (:rules (:disabled []) :minSeverity "info")))
(defun pipewarden-eglot-maybe ()
  "Start Eglot for CI/CD pipeline files only."
  (when (and buffer-file-name
             (string-match-p
              "\\(/\\.github/workflows/[^/]+\\.ya?ml\\|/action\\.ya?ml\\|\\.gitlab-ci\\.yml\\)\\'"
              buffer-file-name))
    (eglot-ensure)))
(add-hook 'yaml-mode-hook #'pipewarden-eglot-maybe)
