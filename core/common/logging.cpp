#include "logging.h"

Q_LOGGING_CATEGORY(lcApp, "dcs.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcListener, "dcs.listener", QtInfoMsg)
Q_LOGGING_CATEGORY(lcTransfer, "dcs.transfer", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStorage, "dcs.storage", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRules, "dcs.rules", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "dcs.ui", QtInfoMsg)
