{{- define "haven.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 54 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 54 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "haven.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "haven.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: haven
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "haven.secretName" -}}
{{- .Values.existingSecret | default (include "haven.fullname" .) -}}
{{- end -}}

{{- define "haven.image" -}}
{{- printf "%s:%s" (required "image.repository is required" .Values.image.repository) (toString (required "image.tag is required" .Values.image.tag)) -}}
{{- end -}}

{{/* The gateway as agents reach it: the value given, else this release's gateway Service. */}}
{{- define "haven.agentGatewayAddress" -}}
{{- .Values.api.agentGateway.address | default (printf "%s-gateway.%s.svc:%v" (include "haven.fullname" .) .Release.Namespace .Values.gateway.service.port) -}}
{{- end -}}

{{/* Secret keys as env entries: {root, keys: [[name, optional]...]}. Each process gets only the keys it uses. */}}
{{- define "haven.secretEnv" -}}
{{- $root := .root -}}
{{- range .keys }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ include "haven.secretName" $root }}
      key: {{ index . 0 }}
      {{- if index . 1 }}
      optional: true
      {{- end }}
{{- end }}
{{- end -}}

{{/* The init container that migrates the database before the process starts. */}}
{{- define "haven.migrateContainer" -}}
- name: migrate
  image: {{ include "haven.image" . }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  # HAVEN_PROCESS_COMMANDS.migrate (lib/common/haven-image.ts)
  command: [node, --import, tsx, services/api/migrate.ts]
  env:
    {{- include "haven.secretEnv" (dict "root" . "keys" (list (list "DATABASE_URL" false))) | nindent 4 }}
  resources:
    {{- toYaml .Values.migrate.resources | nindent 4 }}
  securityContext:
    {{- toYaml .Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end -}}

{{/* Pod-level settings shared by every control-plane Deployment. */}}
{{- define "haven.podSettings" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Restarts pods when their configuration or secrets change. */}}
{{- define "haven.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ printf "%s%s" (toJson .Values.secrets) .Values.database.url | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* HAVEN_METRICS_LISTEN for a control-plane container, when metrics are on: a port of its own, never the API's. */}}
{{- define "haven.metricsEnv" -}}
{{- if .Values.metrics.enabled }}
- name: HAVEN_METRICS_LISTEN
  value: {{ printf "0.0.0.0:%v" .Values.metrics.port | quote }}
{{- end }}
{{- end -}}

{{- define "haven.metricsPort" -}}
{{- if .Values.metrics.enabled }}
- name: metrics
  containerPort: {{ .Values.metrics.port }}
{{- end }}
{{- end -}}
