; Comments that suppress findings: `# pipewarden: ignore[rule-id, other-rule]`.
; The analysis reads the rule ids from the captured comment's text.

((comment) @suppression
  (#match? @suppression "pipewarden:\\s*ignore\\["))
