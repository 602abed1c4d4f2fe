/*  openapi: the API's OpenAPI 3 document, built from the route table. */
#ifndef GATEWAY_OPENAPI_H
#define GATEWAY_OPENAPI_H

#include <jansson.h>
#include "routes.h"

//  The whole document (a new reference).
json_t *openapi_document (void);

#endif
