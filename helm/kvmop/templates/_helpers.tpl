{{/* The labels of every object of the release (Kubernetes' recommended app.kubernetes.io set). */}}
{{- define "kvmop.labels" -}}
app.kubernetes.io/name: kvmop
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: node-agent
app.kubernetes.io/part-of: kvmop
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* What the DaemonSet selects its pods by: the release's agents only (immutable once installed). */}}
{{- define "kvmop.selectorLabels" -}}
app.kubernetes.io/name: kvmop
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
