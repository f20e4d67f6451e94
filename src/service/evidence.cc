#include "service/evidence.h"
