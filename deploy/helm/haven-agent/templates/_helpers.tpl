{{/* Names of at most 55 characters, so "-restore" still fits a 63-character label value. */}}
{{- define "haven-agent.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 55 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 55 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "haven-agent.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "haven-agent.labels" -}}
{{ include "haven-agent.selectorLabels" . }}
app.kubernetes.io/part-of: haven
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "haven-agent.secretName" -}}
{{- .Values.existingSecret | default (include "haven-agent.fullname" .) -}}
{{- end -}}

{{- define "haven-agent.image" -}}
{{- printf "%s:%s" (required "image.repository is required" .Values.image.repository) (toString (required "image.tag is required" .Values.image.tag)) -}}
{{- end -}}
