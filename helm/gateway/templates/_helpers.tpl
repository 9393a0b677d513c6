{{/*
Expand the name of the chart.
*/}}
{{- define "gateway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name (63 characters at most: some Kubernetes name fields are
limited to that by the DNS naming spec). A release name that contains the chart name is used as is.
*/}}
{{- define "gateway.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, as used by the chart label.
*/}}
{{- define "gateway.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "gateway.labels" -}}
helm.sh/chart: {{ include "gateway.chart" . }}
{{ include "gateway.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels.
*/}}
{{- define "gateway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gateway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The name of the service account to use.
*/}}
{{- define "gateway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gateway.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
True (non-empty) when more than one pod may run at once.
*/}}
{{- define "gateway.multiReplica" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/*
Seconds as a .NET TimeSpan (d.hh:mm:ss): a bare "30" would read as 30 days.
*/}}
{{- define "gateway.timeSpan" -}}
{{- $s := int . -}}
{{- printf "%d.%02d:%02d:%02d" (div $s 86400) (div (mod $s 86400) 3600) (div (mod $s 3600) 60) (mod $s 60) -}}
{{- end }}

{{/*
Kubernetes' grace period: as set, or the shutdown delay and timeout plus 15 s for the final metering write and the exit.
*/}}
{{- define "gateway.terminationGracePeriodSeconds" -}}
{{- if or (kindIs "string" .Values.terminationGracePeriodSeconds) (kindIs "invalid" .Values.terminationGracePeriodSeconds) -}}
{{- add (int .Values.gateway.shutdownDelaySeconds) (int .Values.gateway.shutdownTimeoutSeconds) 15 -}}
{{- else -}}
{{- int .Values.terminationGracePeriodSeconds -}}
{{- end -}}
{{- end }}

{{/*
Checks the values before anything renders, so a mistake fails `helm install` with the value's name
instead of a pod that crashes on start. Renders nothing.
*/}}
{{- define "gateway.validate" -}}
{{- $delay := int .Values.gateway.shutdownDelaySeconds }}
{{- if or (lt $delay 0) (gt $delay 600) }}
{{- fail "gateway.shutdownDelaySeconds must be between 0 and 600." }}
{{- end }}
{{- $shutdown := int .Values.gateway.shutdownTimeoutSeconds }}
{{- if or (lt $shutdown 0) (gt $shutdown 86400) }}
{{- fail "gateway.shutdownTimeoutSeconds must be between 0 and 86400." }}
{{- end }}
{{- if and (not (kindIs "string" .Values.terminationGracePeriodSeconds)) (not (kindIs "invalid" .Values.terminationGracePeriodSeconds)) (le (int .Values.terminationGracePeriodSeconds) (add $delay $shutdown)) }}
{{- fail "terminationGracePeriodSeconds must exceed gateway.shutdownDelaySeconds + gateway.shutdownTimeoutSeconds (or be left empty: both + 15), or Kubernetes kills the pod before its downloads drained and its metering was written." }}
{{- end }}
{{- if and .Values.rrsa.enabled (not (and .Values.rrsa.roleArn .Values.rrsa.oidcProviderArn)) }}
{{- fail "rrsa.enabled needs rrsa.roleArn and rrsa.oidcProviderArn." }}
{{- end }}
{{- if and (include "gateway.multiReplica" .) (not .Values.redis.existingSecret) }}
{{- fail "Several replicas (replicaCount > 1 or autoscaling.enabled) need an external Redis: set redis.existingSecret. Without it each pod would keep its own links in the embedded single-node store." }}
{{- end }}
{{- range $alias, $bucket := .Values.gateway.buckets }}
{{- if or (not (regexMatch "^[A-Za-z0-9_-]{1,64}$" $alias)) (contains "__" $alias) }}
{{- fail (printf "gateway.buckets.%s: an alias is 1-64 characters of [A-Za-z0-9_-], without \"__\"." $alias) }}
{{- end }}
{{- if not (kindIs "map" $bucket) }}
{{- fail (printf "gateway.buckets.%s must be a map with endpoint, bucket and region." $alias) }}
{{- end }}
{{- $_ := required (printf "gateway.buckets.%s.endpoint is required (e.g. https://oss-cn-hangzhou.aliyuncs.com)." $alias) $bucket.endpoint }}
{{- $_ := required (printf "gateway.buckets.%s.bucket is required (the OSS bucket name)." $alias) $bucket.bucket }}
{{- $_ := required (printf "gateway.buckets.%s.region is required (e.g. cn-hangzhou)." $alias) $bucket.region }}
{{- if and $bucket.addressingStyle (not (has $bucket.addressingStyle (list "VirtualHosted" "Path" "Cname"))) }}
{{- fail (printf "gateway.buckets.%s.addressingStyle must be VirtualHosted, Path or Cname." $alias) }}
{{- end }}
{{- $credentials := $bucket.credentials | default dict }}
{{- range $key, $_ := $credentials }}
{{- if has (lower $key) (list "accesskeyid" "accesskeysecret" "securitytoken") }}
{{- fail (printf "gateway.buckets.%s.credentials.%s: key pairs never go in values; put them in an existing Secret named by gateway.buckets.%s.credentialsSecret." $alias $key $alias) }}
{{- end }}
{{- end }}
{{- $type := $credentials.type | default "" }}
{{- if and $type (not (has $type (list "AccessKey" "Sts" "EcsRamRole" "OidcRoleArn" "RamRoleArn" "CredentialsUri"))) }}
{{- fail (printf "gateway.buckets.%s.credentials.type must be AccessKey, Sts, EcsRamRole, OidcRoleArn, RamRoleArn or CredentialsUri." $alias) }}
{{- end }}
{{- if and (has $type (list "AccessKey" "Sts" "RamRoleArn")) (not $bucket.credentialsSecret) }}
{{- fail (printf "gateway.buckets.%s.credentials.type %s needs a key pair: set gateway.buckets.%s.credentialsSecret." $alias $type $alias) }}
{{- end }}
{{- if and (eq $type "OidcRoleArn") (not $.Values.rrsa.enabled) (not $credentials.oidcTokenFile) }}
{{- fail (printf "gateway.buckets.%s.credentials.type OidcRoleArn needs rrsa.enabled (the projected token)." $alias) }}
{{- end }}
{{- if not (or $type $.Values.oss.existingSecret $bucket.credentialsSecret $.Values.rrsa.enabled) }}
{{- fail (printf "gateway.buckets.%s has no credentials: set gateway.buckets.%s.credentials.type (e.g. EcsRamRole), rrsa.enabled, oss.existingSecret or gateway.buckets.%s.credentialsSecret." $alias $alias $alias) }}
{{- end }}
{{- end }}
{{- range $i, $key := .Values.admin.apiKeys }}
{{- if not (regexMatch "^[A-Za-z0-9_-]{1,64}$" (toString $key.name)) }}
{{- fail (printf "admin.apiKeys[%d].name must be 1-64 characters of [A-Za-z0-9_-]." $i) }}
{{- end }}
{{- if contains "__" $key.name }}
{{- fail (printf "admin.apiKeys[%d].name must not contain \"__\"." $i) }}
{{- end }}
{{- if not (or $key.existingSecret $.Values.admin.existingSecret) }}
{{- fail (printf "admin.apiKeys[%d] (%s): set admin.existingSecret (or the key's own existingSecret) holding its SHA-256." $i $key.name) }}
{{- end }}
{{- if not $key.scopes }}
{{- fail (printf "admin.apiKeys[%d] (%s): scopes must list at least one of links:read, links:write, stats:read, presign." $i $key.name) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Environment variables that come from existing Secrets, then extraEnv. Nothing secret is rendered
into the manifest: only references.
*/}}
{{- define "gateway.env" -}}
{{- if .Values.redis.existingSecret }}
- name: ConnectionStrings__Redis
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret | quote }}
      key: {{ .Values.redis.existingSecretKey | quote }}
{{- end }}
{{- with .Values.oss }}
{{- if .existingSecret }}
- name: OSS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | quote }}
      key: {{ .accessKeyIdKey | quote }}
- name: OSS_ACCESS_KEY_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | quote }}
      key: {{ .accessKeySecretKey | quote }}
{{- if .sessionTokenKey }}
- name: OSS_SESSION_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | quote }}
      key: {{ .sessionTokenKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- range $alias, $bucket := .Values.gateway.buckets }}
{{- with $bucket.credentialsSecret }}
- name: Gateway__Buckets__{{ $alias }}__AccessKeyId
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: access-key-id
- name: Gateway__Buckets__{{ $alias }}__AccessKeySecret
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: access-key-secret
- name: Gateway__Buckets__{{ $alias }}__SecurityToken
  valueFrom:
    secretKeyRef:
      name: {{ . | quote }}
      key: security-token
      optional: true
{{- end }}
{{- end }}
{{- range .Values.admin.apiKeys }}
- name: Gateway__Admin__ApiKeys__{{ .name }}__Sha256
  valueFrom:
    secretKeyRef:
      name: {{ .existingSecret | default $.Values.admin.existingSecret | quote }}
      key: {{ .secretKey | default (printf "%s-sha256" .name) | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
