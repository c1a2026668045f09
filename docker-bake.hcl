# `docker buildx bake` builds every service image in one BuildKit session: the shared `build` stage of the
# Dockerfile runs once, then each service's runtime stage. CI sets REGISTRY/TAG and the cache (see .github/workflows).
variable "REGISTRY" { default = "fixup" }
variable "TAG" { default = "local" }

group "default" {
  targets = ["users", "catalog", "orders", "chat", "gateway"]
}

target "_common" {
  context    = "."
  dockerfile = "Dockerfile"
  target     = "runtime"
}

target "users" {
  inherits = ["_common"]
  args     = { SERVICE = "users", PORT = "4001" }
  tags     = ["${REGISTRY}/fixup-users:${TAG}"]
}
target "catalog" {
  inherits = ["_common"]
  args     = { SERVICE = "catalog", PORT = "4002" }
  tags     = ["${REGISTRY}/fixup-catalog:${TAG}"]
}
target "orders" {
  inherits = ["_common"]
  args     = { SERVICE = "orders", PORT = "4003" }
  tags     = ["${REGISTRY}/fixup-orders:${TAG}"]
}
target "chat" {
  inherits = ["_common"]
  args     = { SERVICE = "chat", PORT = "4004" }
  tags     = ["${REGISTRY}/fixup-chat:${TAG}"]
}
target "gateway" {
  inherits = ["_common"]
  args     = { SERVICE = "gateway", PORT = "4000" }
  tags     = ["${REGISTRY}/fixup-gateway:${TAG}"]
}
