#include "origin/http_client.h"
