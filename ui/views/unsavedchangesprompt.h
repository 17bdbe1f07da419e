#pragma once

#include <QString>

#include <functional>

class QWidget;

namespace Dcs {

// The editor pages' question when the selection moves away from edits that are not saved:
// "<name> has changes that are not saved." with Save, Discard and Cancel. Window-modal and
// never blocking (open(), not exec()): exactly one of the three callbacks runs once it is
// answered (Escape is Cancel). `unsaveableBecause` non-empty: Save is disabled, Cancel is the
// default, and the reason is shown under the question. The box's objectName is
// "unsavedChangesDialog", for tests.
void askAboutUnsavedChanges(QWidget *parent, const QString &name, const QString &unsaveableBecause,
                            std::function<void()> onSave, std::function<void()> onDiscard,
                            std::function<void()> onCancel);

} // namespace Dcs
