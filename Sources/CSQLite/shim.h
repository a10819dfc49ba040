#ifndef ILONET_CSQLITE_H
#define ILONET_CSQLITE_H
#include <sqlite3.h>
#endif
