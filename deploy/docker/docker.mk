# Containers and Kubernetes (included by the Makefile).
#   make images        every image, from a debootstrap base (no registry), and
#                      the compose secrets when missing (deploy/docker/)
#   make compose-test  the stack in containers: end-to-end test and a fault
#                      ledger against the published gateway port, then removed
#   make k8s-check     the manifests of deploy/k8s/ through a Kubernetes schema validator
#   make openapi-lint  the gateway's OpenAPI document through Spectral (tools/openapi-lint/)
.PHONY: images compose-test k8s-check openapi-lint

images:
	@deploy/docker/images.sh $(B)

compose-test:
	@deploy/docker/compose-test.sh $(B)

k8s-check:
	@deploy/k8s/check.sh $(B)

openapi-lint: $(B)/bin/gateway
	@tools/openapi-lint/run.sh $(B)
