@echo off
rem The `vigil` command of the Vigil desktop app (Windows): the CLI, run by the app's own runtime
rem (Electron as plain Node through ELECTRON_RUN_AS_NODE), as VS Code's code.cmd does. The installer
rem offers to put this folder (resources\bin) on the PATH.
setlocal
set "ELECTRON_RUN_AS_NODE=1"
set "RESOURCES=%~dp0.."
set "APP=%RESOURCES%\app.asar"
if not exist "%APP%" set "APP=%RESOURCES%\app"
"%~dp0..\..\Vigil.exe" --no-opt --no-maglev --no-sparkplug --max-semi-space-size=1 "%APP%\bin\vigil.js" %*
exit /b %ERRORLEVEL%
