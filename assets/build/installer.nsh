; Vigil's additions to electron-builder's NSIS installer (electron-builder.yml: nsis.include).
; A page after the folder choice offers to put the `vigil` command (resources\bin\vigil.cmd, the
; CLI run by the app's own runtime) on the PATH: the user's PATH for a per-user install, the
; machine's for an all-users one. Checked by default; a silent install (/S) adds it too unless
; given /NOPATH. The uninstaller takes the entry out again.
; The registry edit is done by resources\bin\windows-path.cjs, run by the app's own runtime
; (ELECTRON_RUN_AS_NODE), which keeps the other entries and REG_EXPAND_SZ intact, whatever the
; PATH's length (NSIS strings have a fixed maximum); NSIS then tells running programs (Explorer)
; that the environment changed, so new terminals see it.
!include LogicLib.nsh
!include FileFunc.nsh
!include WinMessages.nsh
!include nsDialogs.nsh

!macro VigilEditPath ACTION
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", t "1")i'
  nsExec::ExecToLog '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "$INSTDIR\resources\bin\windows-path.cjs" ${ACTION} "$INSTDIR\resources\bin" $installMode'
  Pop $0
  System::Call 'Kernel32::SetEnvironmentVariable(t "ELECTRON_RUN_AS_NODE", n)i'
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
!macroend

; The installer's variables, pages and steps only: the uninstaller is built from this file too,
; and NSIS warns (an error for electron-builder) about a variable it never uses.
!ifndef BUILD_UNINSTALLER
  Var VigilAddToPath
  Var VigilPathCheckbox

  !macro customInit
    StrCpy $VigilAddToPath ${BST_CHECKED}
    ${GetParameters} $R0
    ClearErrors
    ${GetOptions} $R0 "/NOPATH" $R1
    ${IfNot} ${Errors}
      StrCpy $VigilAddToPath ${BST_UNCHECKED}
    ${EndIf}
  !macroend

  !macro customInstall
    ${If} $VigilAddToPath == ${BST_CHECKED}
      !insertmacro VigilEditPath add
    ${EndIf}
  !macroend

  !macro customPageAfterChangeDir
    Page custom VigilPathPageCreate VigilPathPageLeave
  !macroend

  Function VigilPathPageCreate
    nsDialogs::Create 1018
    Pop $0
    ${NSD_CreateLabel} 0 0 100% 40u "Vigil comes with the vigil command for a terminal: vigil status, vigil export, vigil chart. New terminals find it when its folder is on the PATH."
    Pop $0
    ${NSD_CreateCheckbox} 0 48u 100% 12u "Add the vigil command to the PATH"
    Pop $VigilPathCheckbox
    ${NSD_SetState} $VigilPathCheckbox $VigilAddToPath
    nsDialogs::Show
  FunctionEnd

  Function VigilPathPageLeave
    ${NSD_GetState} $VigilPathCheckbox $VigilAddToPath
  FunctionEnd
!endif

!macro customUnInstall
  !insertmacro VigilEditPath remove
!macroend
